/// The Unicode general category of a code point, with ICU's numbering (`UCharCategory`).
package enum GeneralCategory: UInt8, Sendable, CaseIterable {
    case unassigned = 0, uppercaseLetter, lowercaseLetter, titlecaseLetter, modifierLetter, otherLetter
    case nonspacingMark, enclosingMark, spacingMark
    case decimalNumber, letterNumber, otherNumber
    case spaceSeparator, lineSeparator, paragraphSeparator
    case control, format, privateUse, surrogate
    case dashPunctuation, openPunctuation, closePunctuation, connectorPunctuation, otherPunctuation
    case mathSymbol, currencySymbol, modifierSymbol, otherSymbol
    case initialPunctuation, finalPunctuation

    /// Lu, Ll, Lt, Lm, Lo (`\p{L}`).
    package var isLetter: Bool { (1...5).contains(rawValue) }
    /// Mn, Me, Mc (`\p{M}`).
    package var isMark: Bool { (6...8).contains(rawValue) }
    /// Nd, Nl, No (`\p{N}`).
    package var isNumber: Bool { (9...11).contains(rawValue) }
    /// Pd, Ps, Pe, Pc, Po, Pi, Pf (`\p{P}`).
    package var isPunctuation: Bool { (19...23).contains(rawValue) || rawValue >= 28 }
    /// Cc, Cf, Cn, Co, Cs (`\p{C}`).
    package var isOther: Bool { rawValue == 0 || (15...18).contains(rawValue) }
}
