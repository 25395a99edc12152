// A small, strict XML parser for the flame graph tests: checks that a
// document is well-formed (matched tags, quoted and unique attributes,
// known entities, valid UTF-8, no stray '<' or '&') and gives back a tree
// to inspect. Test-only (header-only, not in kscope_core); the tests also
// run xmllint, a real parser, when it is installed.
#pragma once

#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kscope::testing {

struct XmlElement {
  std::string name;
  std::map<std::string, std::string> attrs;  // entity-decoded
  std::vector<std::unique_ptr<XmlElement>> children;
  std::string text;  // all character data directly inside, decoded

  std::string attr(const std::string& k) const {
    auto it = attrs.find(k);
    return it == attrs.end() ? std::string() : it->second;
  }
  // Every descendant (depth first) with this tag name.
  void find_all(std::string_view tag, std::vector<const XmlElement*>* out) const {
    for (const auto& c : children) {
      if (c->name == tag) out->push_back(c.get());
      c->find_all(tag, out);
    }
  }
  const XmlElement* find_id(std::string_view id) const {
    for (const auto& c : children) {
      if (c->attr("id") == id) return c.get();
      if (const XmlElement* e = c->find_id(id)) return e;
    }
    return nullptr;
  }
};

class XmlParser {
 public:
  // Returns the root element, or nullptr with error() set.
  std::unique_ptr<XmlElement> parse(std::string_view doc) {
    s_ = doc;
    i_ = 0;
    if (!valid_utf8()) return fail("invalid UTF-8");
    skip_misc(true);
    if (!peek("<") || peek("</")) return fail("no root element");
    auto root = element();
    if (!root) return nullptr;
    skip_misc(false);
    if (i_ != s_.size()) return fail("content after the root element");
    return root;
  }
  const std::string& error() const { return error_; }

 private:
  std::nullptr_t fail(const std::string& why) {
    if (error_.empty()) error_ = why + " at byte " + std::to_string(i_);
    return nullptr;
  }
  bool peek(std::string_view t) const { return s_.substr(i_, t.size()) == t; }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool skip_past(std::string_view end) {
    size_t p = s_.find(end, i_);
    if (p == std::string_view::npos) return false;
    i_ = p + end.size();
    return true;
  }
  // Prolog / epilog: whitespace, comments, processing instructions, doctype.
  void skip_misc(bool allow_doctype) {
    for (;;) {
      skip_ws();
      if (peek("<?")) {
        if (!skip_past("?>")) return;
      } else if (peek("<!--")) {
        if (!skip_past("-->")) return;
      } else if (allow_doctype && peek("<!DOCTYPE")) {
        if (!skip_past(">")) return;
      } else {
        return;
      }
    }
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '.' ||
           static_cast<unsigned char>(c) >= 0x80;
  }
  std::string name() {
    size_t start = i_;
    while (i_ < s_.size() && name_char(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }
  // Decodes character data up to one of the stop characters.
  bool chars(char stop, std::string* out) {
    while (i_ < s_.size() && s_[i_] != stop) {
      char c = s_[i_];
      if (c == '<') return false;
      if (c == '&') {
        size_t semi = s_.find(';', i_);
        if (semi == std::string_view::npos || semi - i_ > 10) return false;
        std::string_view ent = s_.substr(i_ + 1, semi - i_ - 1);
        if (ent == "lt") *out += '<';
        else if (ent == "gt") *out += '>';
        else if (ent == "amp") *out += '&';
        else if (ent == "quot") *out += '"';
        else if (ent == "apos") *out += '\'';
        else if (ent.size() > 1 && ent[0] == '#') {
          uint32_t cp = 0;
          bool hex = ent[1] == 'x';
          std::string_view digits = ent.substr(hex ? 2 : 1);
          if (digits.empty()) return false;
          for (char d : digits) {
            int v = std::isdigit(static_cast<unsigned char>(d)) ? d - '0'
                    : hex && std::isxdigit(static_cast<unsigned char>(d)) ? (std::tolower(d) - 'a' + 10)
                                                                          : -1;
            if (v < 0) return false;
            cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
            if (cp > 0x10FFFF) return false;
          }
          if (cp < 0x20 && cp != 9 && cp != 10 && cp != 13) return false;
          append_utf8(cp, out);
        } else {
          return false;
        }
        i_ = semi + 1;
        continue;
      }
      *out += c;
      ++i_;
    }
    return true;
  }
  static void append_utf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  std::unique_ptr<XmlElement> element() {
    ++i_;  // '<'
    auto e = std::make_unique<XmlElement>();
    e->name = name();
    if (e->name.empty()) return fail("empty tag name");
    for (;;) {
      size_t before = i_;
      skip_ws();
      if (peek("/>")) {
        i_ += 2;
        return e;
      }
      if (peek(">")) {
        ++i_;
        break;
      }
      if (i_ == before) return fail("no blank before attribute");
      std::string key = name();
      if (key.empty()) return fail("bad attribute name");
      skip_ws();
      if (!peek("=")) return fail("attribute without '='");
      ++i_;
      skip_ws();
      if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\'')) return fail("unquoted attribute");
      char q = s_[i_++];
      std::string value;
      if (!chars(q, &value) || i_ >= s_.size()) return fail("bad attribute value");
      ++i_;
      if (!e->attrs.emplace(key, value).second) return fail("duplicate attribute " + key);
    }
    for (;;) {
      if (i_ >= s_.size()) return fail("unclosed <" + e->name + ">");
      if (peek("</")) {
        i_ += 2;
        std::string end = name();
        skip_ws();
        if (end != e->name || !peek(">")) return fail("</" + end + "> closes <" + e->name + ">");
        ++i_;
        return e;
      }
      if (peek("<!--")) {
        if (!skip_past("-->")) return fail("unclosed comment");
      } else if (peek("<![CDATA[")) {
        size_t start = i_ + 9;
        if (!skip_past("]]>")) return fail("unclosed CDATA");
        e->text.append(s_.substr(start, i_ - 3 - start));
      } else if (peek("<?")) {
        if (!skip_past("?>")) return fail("unclosed processing instruction");
      } else if (peek("<")) {
        auto c = element();
        if (!c) return nullptr;
        e->children.push_back(std::move(c));
      } else {
        if (!chars('<', &e->text)) return fail("bad character data");
      }
    }
  }
  bool valid_utf8() const {
    for (size_t i = 0; i < s_.size();) {
      auto c = static_cast<uint8_t>(s_[i]);
      size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
      if (len == 0 || i + len > s_.size()) return false;
      if (len == 1 && c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
      for (size_t k = 1; k < len; ++k) {
        if ((static_cast<uint8_t>(s_[i + k]) & 0xC0) != 0x80) return false;
      }
      i += len;
    }
    return true;
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string error_;
};

}  // namespace kscope::testing
