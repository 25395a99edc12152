#include "common/proto_wire.h"

#include <cstring>

namespace kscope {

void ProtoWriter::varint(uint64_t v) {
  while (v >= 0x80) {
    buf_ += static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf_ += static_cast<char>(v);
}

void ProtoWriter::uint_field(uint32_t field, uint64_t v) {
  if (v == 0) return;
  tag(field, WireType::kVarint);
  varint(v);
}

void ProtoWriter::double_field(uint32_t field, double v) {
  uint64_t bits = 0;
  static_assert(sizeof(bits) == sizeof(v));
  std::memcpy(&bits, &v, sizeof(v));
  tag(field, WireType::kFixed64);
  for (int i = 0; i < 8; ++i) buf_ += static_cast<char>((bits >> (8 * i)) & 0xFF);
}

void ProtoWriter::bytes_field(uint32_t field, std::string_view bytes) {
  tag(field, WireType::kLen);
  varint(bytes.size());
  buf_.append(bytes);
}

bool ProtoReader::read_varint(uint64_t* v) {
  uint64_t out = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= in_.size()) return false;
    auto b = static_cast<uint8_t>(in_[pos_++]);
    out |= uint64_t{b & 0x7Fu} << shift;
    if ((b & 0x80) == 0) {
      *v = out;
      return true;
    }
  }
  return false;  // more than ten bytes
}

bool ProtoReader::next(ProtoField* field) {
  if (failed_ || pos_ >= in_.size()) return false;
  uint64_t key = 0;
  if (!read_varint(&key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX) {
    failed_ = true;
    return false;
  }
  field->number = static_cast<uint32_t>(key >> 3);
  field->bytes = {};
  field->value = 0;
  switch (key & 7) {
    case 0:
      field->type = WireType::kVarint;
      if (!read_varint(&field->value)) failed_ = true;
      break;
    case 1:
      field->type = WireType::kFixed64;
      if (in_.size() - pos_ < 8) {
        failed_ = true;
      } else {
        std::memcpy(&field->value, in_.data() + pos_, 8);
        pos_ += 8;
      }
      break;
    case 2: {
      field->type = WireType::kLen;
      uint64_t len = 0;
      if (!read_varint(&len) || len > in_.size() - pos_) {
        failed_ = true;
      } else {
        field->bytes = in_.substr(pos_, len);
        pos_ += len;
      }
      break;
    }
    case 5: {
      field->type = WireType::kFixed32;
      uint32_t v = 0;
      if (in_.size() - pos_ < 4) {
        failed_ = true;
      } else {
        std::memcpy(&v, in_.data() + pos_, 4);
        field->value = v;
        pos_ += 4;
      }
      break;
    }
    default:  // groups (3, 4) are not used by any message we read
      failed_ = true;
  }
  return !failed_;
}

bool ProtoReader::repeated_varints(const ProtoField& field, std::vector<uint64_t>* out) {
  if (field.type == WireType::kVarint) {
    out->push_back(field.value);
    return true;
  }
  if (field.type != WireType::kLen) return false;
  ProtoReader r(field.bytes);
  while (r.pos_ < r.in_.size()) {
    uint64_t v = 0;
    if (!r.read_varint(&v)) return false;
    out->push_back(v);
  }
  return true;
}

}  // namespace kscope
