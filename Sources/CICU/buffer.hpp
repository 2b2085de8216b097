// Internal: the definition of vk_buffer shared by the shim's translation units.
#ifndef VOCABKIT_CICU_BUFFER_HPP
#define VOCABKIT_CICU_BUFFER_HPP
#include <string>
#include <vector>
#include <cstdint>

struct vk_buffer {
    std::string bytes;
    std::vector<int32_t> ints;
    void clear() { bytes.clear(); ints.clear(); }
};
#endif
