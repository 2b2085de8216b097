/// A pipeline stage's registry: a closed enum of the stage's built-in components, each with its
/// short name, the value it builds and (in `Formats/HuggingFace`) its `tokenizer.json` form
/// (`NormalizerComponent`, `PreTokenizerComponent`).
public protocol StageComponent: Sendable, Equatable {
    /// What a component builds (`any Normalizer`, `any PreTokenizer`).
    associatedtype Stage
    /// Builds the stage value.
    func make() throws -> Stage
    /// The component a stage value reports (nil for custom values).
    static func component(of stage: Stage) -> Self?
    /// The short name `FrontEndSpecification` accepts, if the component has one.
    var name: String? { get }
    /// The component a short name denotes (nil for an unknown name).
    static func parsing(_ name: String) throws -> Self?
    /// The cases without their values.
    associatedtype Kind: CaseIterable & Hashable
    /// The case of a component (an exhaustive switch).
    var kind: Kind { get }
    /// One component of every case, with every named variant.
    static var examples: [Self] { get }
}

extension NormalizerComponent: StageComponent {
    public static func component(of stage: any Normalizer) -> NormalizerComponent? { stage.component }

    /// A preset is its sequence of steps.
    public static func parsing(_ name: String) -> NormalizerComponent? {
        named(name).map { $0.count == 1 ? $0[0] : .sequence($0) }
    }
}

extension PreTokenizerComponent: StageComponent {
    public static func component(of stage: any PreTokenizer) -> PreTokenizerComponent? { stage.component }
    public static func parsing(_ name: String) throws -> PreTokenizerComponent? { try named(name) }
}
