// An open-addressing hash map from 64-bit hashes to small values: one flat
// array, no allocation per entry, erase by backward shift (no tombstones), so
// the hot path of the engine can keep millions of ids without the node
// overhead of std::unordered_map. Keys are hashes already (common/hash.h); key
// 0 marks an empty slot, so a key of 0 is stored as 1.
#pragma once

#include <cstdint>
#include <vector>

namespace kilter {

template <class V>
class FlatMap64 {
 public:
  explicit FlatMap64(std::size_t expected = 16) { rehash(capacity_for(expected)); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Bytes held by the table (for memory accounting).
  std::size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

  V* find(std::uint64_t key) {
    key = fix(key);
    for (std::size_t i = home(key);; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }
  const V* find(std::uint64_t key) const { return const_cast<FlatMap64*>(this)->find(key); }
  // Asks for the key's home slot ahead of a find or insert: with tables much
  // larger than the cache, lookups of independent keys then overlap their misses.
  void prefetch(std::uint64_t key) const { __builtin_prefetch(&slots_[home(fix(key))]); }
  bool contains(std::uint64_t key) const { return find(key) != nullptr; }

  // Inserts a default value when missing; `inserted` says which happened.
  V& get_or_insert(std::uint64_t key, bool& inserted) {
    if ((size_ + 1) * 4 > slots_.size() * 3) rehash(slots_.size() * 2);
    key = fix(key);
    std::size_t i = home(key);
    for (; slots_[i].key != 0; i = (i + 1) & mask_) {
      if (slots_[i].key == key) {
        inserted = false;
        return slots_[i].value;
      }
    }
    slots_[i].key = key;
    slots_[i].value = V{};
    ++size_;
    inserted = true;
    return slots_[i].value;
  }

  bool erase(std::uint64_t key) {
    key = fix(key);
    std::size_t i = home(key);
    for (; slots_[i].key != key; i = (i + 1) & mask_)
      if (slots_[i].key == 0) return false;
    // Backward shift: pull later entries of the probe run into the hole, so
    // lookups never need tombstones.
    for (std::size_t j = (i + 1) & mask_; slots_[j].key != 0; j = (j + 1) & mask_) {
      const std::size_t h = home(slots_[j].key);
      if (((j - h) & mask_) >= ((j - i) & mask_)) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i].key = 0;
    --size_;
    return true;
  }

  void clear() {
    for (auto& s : slots_) s.key = 0;
    size_ = 0;
  }

  // Keeps the entries for which keep(key, value) is true, in a table sized for
  // them: one pass, cheaper than erasing many entries one by one.
  template <class F>
  void retain(F&& keep) {
    std::size_t kept = 0;
    for (const auto& s : slots_)
      if (s.key != 0 && keep(s.key, s.value)) ++kept;
    std::vector<Slot> old;
    old.swap(slots_);
    resize_table(capacity_for(kept));
    for (const auto& s : old)
      if (s.key != 0 && keep(s.key, s.value)) place(s);
  }

  template <class F>
  void for_each(F&& fn) const {
    for (const auto& s : slots_)
      if (s.key != 0) fn(s.key, s.value);
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    V value{};
  };
  static std::uint64_t fix(std::uint64_t k) { return k == 0 ? 1 : k; }
  static std::size_t capacity_for(std::size_t n) {
    std::size_t c = 16;
    while (c * 3 < n * 4) c *= 2;
    return c;
  }
  std::size_t home(std::uint64_t key) const {
    // The keys are hashes, but their low bits are mixed once more so that a
    // poor hash cannot cluster the table.
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
  }
  void resize_table(std::size_t capacity) {
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64;
    for (std::size_t c = capacity; c > 1; c >>= 1) --shift_;
    size_ = 0;
  }
  void place(const Slot& s) {
    std::size_t i = home(s.key);
    while (slots_[i].key != 0) i = (i + 1) & mask_;
    slots_[i] = s;
    ++size_;
  }
  void rehash(std::size_t capacity) {
    std::vector<Slot> old;
    old.swap(slots_);
    resize_table(capacity);
    for (const auto& s : old)
      if (s.key != 0) place(s);
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 64;
  std::size_t size_ = 0;
};

}  // namespace kilter
