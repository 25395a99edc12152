// The protobuf wire format, by hand: varints, zigzag, doubles, tags and
// length-delimited fields are all pprof and the Prometheus exposition need,
// and a generated library would be a dependency for two message types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kscope {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

// Appends encoded fields to a string.
class ProtoWriter {
 public:
  void varint(uint64_t v);
  void tag(uint32_t field, WireType type) { varint(uint64_t{field} << 3 | static_cast<uint8_t>(type)); }
  // proto3 leaves zero values out; so do these.
  void uint_field(uint32_t field, uint64_t v);
  void int_field(uint32_t field, int64_t v) { uint_field(field, static_cast<uint64_t>(v)); }
  void bool_field(uint32_t field, bool v) { uint_field(field, v ? 1 : 0); }
  // sint32/sint64 (zigzag); zero left out too.
  void sint_field(uint32_t field, int64_t v) { uint_field(field, zigzag(v)); }
  // A double (fixed64), always written: 0 is a value a reader must see.
  void double_field(uint32_t field, double v);
  // Always written, empty or not (repeated strings keep their index).
  void bytes_field(uint32_t field, std::string_view bytes);
  // A packed repeated varint field; nothing when values is empty.
  template <class It>
  void packed_field(uint32_t field, It begin, It end);

  static uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
  static int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

  std::string& buffer() { return buf_; }
  size_t size() const { return buf_.size(); }
  void clear() { buf_.clear(); }

 private:
  std::string buf_;
  std::string scratch_;
};

// One field as read; bytes points into the reader's input.
struct ProtoField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t value = 0;      // kVarint, kFixed64, kFixed32
  std::string_view bytes;  // kLen
};

// Reads fields from a buffer; never reads past it. After next() returns
// false, failed() tells whether the input ended cleanly or was malformed.
class ProtoReader {
 public:
  explicit ProtoReader(std::string_view in) : in_(in) {}
  bool next(ProtoField* field);
  bool failed() const { return failed_; }

  // A repeated varint field: packed (kLen) or one value (kVarint). Appends
  // to out; false when malformed.
  static bool repeated_varints(const ProtoField& field, std::vector<uint64_t>* out);

 private:
  bool read_varint(uint64_t* v);

  std::string_view in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

template <class It>
void ProtoWriter::packed_field(uint32_t field, It begin, It end) {
  if (begin == end) return;
  scratch_.clear();
  for (It it = begin; it != end; ++it) {
    uint64_t v = static_cast<uint64_t>(*it);
    while (v >= 0x80) {
      scratch_ += static_cast<char>(v | 0x80);
      v >>= 7;
    }
    scratch_ += static_cast<char>(v);
  }
  tag(field, WireType::kLen);
  varint(scratch_.size());
  buf_ += scratch_;
}

}  // namespace kscope
