#include "requests/sql_summary.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace kscope::requests {
namespace {

// Statement keywords exported as db_operation_name; any other first word
// is "_OTHER".
constexpr std::string_view kOperations[] = {
    "ABORT",   "ALTER",    "ANALYZE", "BEGIN",   "CALL",     "CHECKPOINT", "CLOSE",   "CLUSTER",  "COMMENT",
    "COMMIT",  "COPY",     "CREATE",  "DEALLOCATE", "DECLARE", "DELETE",   "DISCARD", "DO",       "DROP",
    "END",     "EXECUTE",  "EXPLAIN", "FETCH",   "GRANT",    "IMPORT",     "INSERT",  "LISTEN",   "LOAD",
    "LOCK",    "MERGE",    "MOVE",    "NOTIFY",  "PREPARE",  "REFRESH",    "REINDEX", "RELEASE",  "RESET",
    "REVOKE",  "ROLLBACK", "SAVEPOINT", "SECURITY", "SELECT", "SET",       "SHOW",    "START",    "TABLE",
    "TRUNCATE", "UNLISTEN", "UPDATE", "VACUUM",  "VALUES",   "WITH",
    // MySQL's own statements.
    "DESCRIBE", "FLUSH",   "KILL",    "RENAME",  "REPLACE",  "USE",
};

bool is_operation(std::string_view w) {
  return std::find(std::begin(kOperations), std::end(kOperations), w) != std::end(kOperations);
}

enum class Kind : uint8_t { kEnd, kWord, kQuoted, kOther, kBroken };

struct Token {
  Kind kind = Kind::kEnd;
  std::string_view text;  // kWord: as written; kQuoted: between the quotes (doubled quotes not undone)
  char punct = 0;         // kOther: the character, or 0 for a literal, number or parameter
};

bool word_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}
bool word_char(char c) { return word_start(c) || (c >= '0' && c <= '9') || c == '$'; }

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

class Tokens {
 public:
  Tokens(std::string_view s, SqlDialect dialect) : s_(s), mysql_(dialect == SqlDialect::kMySql) {}

  Token next() {
    skip_space_and_comments();
    if (broken_) return {Kind::kBroken, {}, 0};
    if (i_ >= s_.size()) return {};
    const char c = s_[i_];
    if (mysql_) {
      // Both quotes are strings in MySQL (unless ANSI_QUOTES, which then
      // are identifiers that only lose the table), backticks identifiers.
      if (c == '\'' || c == '"') return quoted_literal(true);
      if (c == '`') return quoted_identifier();
    }
    if (c == '\'') return quoted_literal(false);
    if (c == '"') return quoted_identifier();
    if (!mysql_ && c == '$' && i_ + 1 < s_.size() && !(s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9')) return dollar_literal();
    if (word_start(c)) {
      size_t start = i_;
      while (i_ < s_.size() && word_char(s_[i_])) ++i_;
      std::string_view w = s_.substr(start, i_ - start);
      // E'...' takes backslash escapes; B'', X'', N'' are plain literals.
      if (i_ < s_.size() && s_[i_] == '\'' && w.size() == 1) {
        return quoted_literal(mysql_ || w[0] == 'e' || w[0] == 'E');
      }
      return {Kind::kWord, w, 0};
    }
    if ((c >= '0' && c <= '9') || c == '$' || (c == '.' && i_ + 1 < s_.size() && s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9')) {
      ++i_;  // a number or a $1 parameter: never kept
      while (i_ < s_.size() && (word_char(s_[i_]) || s_[i_] == '.')) ++i_;
      return {Kind::kOther, {}, 0};
    }
    ++i_;
    return {Kind::kOther, {}, c};
  }

 private:
  void skip_space_and_comments() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++i_;
      } else if ((c == '-' && i_ + 1 < s_.size() && s_[i_ + 1] == '-') || (mysql_ && c == '#')) {
        size_t nl = s_.find('\n', i_);
        i_ = nl == std::string_view::npos ? s_.size() : nl + 1;
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '*') {
        // Block comments nest in PostgreSQL, not in MySQL.
        size_t depth = 0;
        while (i_ + 1 < s_.size()) {
          if (s_[i_] == '/' && s_[i_ + 1] == '*' && (depth == 0 || !mysql_)) {
            ++depth;
            i_ += 2;
          } else if (s_[i_] == '*' && s_[i_ + 1] == '/') {
            i_ += 2;
            if (--depth == 0) break;
          } else {
            ++i_;
          }
        }
        if (depth > 0) {
          broken_ = true;
          return;
        }
      } else {
        return;
      }
    }
  }

  Token quoted_literal(bool backslash_escapes) {
    if (s_[i_] != '\'' && s_[i_] != '"') ++i_;  // the E of E'...' was consumed by the caller's scan
    const char quote = s_[i_++];
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (backslash_escapes && c == '\\') {
        ++i_;
      } else if (c == quote) {
        if (i_ < s_.size() && s_[i_] == quote) {
          ++i_;  // '' inside the literal
          continue;
        }
        return {Kind::kOther, {}, 0};
      }
    }
    broken_ = true;
    return {Kind::kBroken, {}, 0};
  }

  Token quoted_identifier() {
    const char quote = s_[i_];
    size_t start = ++i_;
    while (i_ < s_.size()) {
      if (s_[i_] == quote) {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == quote) {
          i_ += 2;
          continue;
        }
        std::string_view text = s_.substr(start, i_ - start);
        ++i_;
        return {Kind::kQuoted, text, 0};
      }
      ++i_;
    }
    broken_ = true;
    return {Kind::kBroken, {}, 0};
  }

  Token dollar_literal() {
    // $tag$ ... $tag$ (the tag may be empty).
    size_t tag_end = i_ + 1;
    while (tag_end < s_.size() && word_char(s_[tag_end]) && s_[tag_end] != '$') ++tag_end;
    if (tag_end >= s_.size() || s_[tag_end] != '$') {
      ++i_;
      return {Kind::kOther, {}, '$'};
    }
    std::string_view tag = s_.substr(i_, tag_end - i_ + 1);
    size_t close = s_.find(tag, tag_end + 1);
    if (close == std::string_view::npos) {
      broken_ = true;
      return {Kind::kBroken, {}, 0};
    }
    i_ = close + tag.size();
    return {Kind::kOther, {}, 0};
  }

  std::string_view s_;
  bool mysql_;
  size_t i_ = 0;
  bool broken_ = false;
};

// Keywords after which a table name follows.
bool names_table(std::string_view w) {
  return w == "FROM" || w == "JOIN" || w == "INTO" || w == "UPDATE" || w == "TABLE" || w == "TRUNCATE" ||
         w == "USING" || w == "COPY";
}
// Words that end a FROM list (a comma after them is not another table).
bool ends_from_list(std::string_view w) {
  return w == "WHERE" || w == "GROUP" || w == "ORDER" || w == "LIMIT" || w == "OFFSET" || w == "HAVING" ||
         w == "WINDOW" || w == "FOR" || w == "UNION" || w == "INTERSECT" || w == "EXCEPT" || w == "RETURNING" ||
         w == "SET" || w == "VALUES" || w == "SELECT" || w == "ON" || w == "FETCH";
}
// Functions whose arguments use FROM without naming a table.
bool from_in_arguments(std::string_view w) {
  return w == "EXTRACT" || w == "SUBSTRING" || w == "TRIM" || w == "OVERLAY" || w == "POSITION";
}
// Words skipped between a table keyword and the name.
bool before_name(std::string_view w) {
  return w == "ONLY" || w == "IF" || w == "NOT" || w == "EXISTS" || w == "TABLE" || w == "LATERAL" ||
         w == "UNLOGGED" || w == "TEMP" || w == "TEMPORARY";
}

class Summarizer {
 public:
  Summarizer(std::string_view text, SqlDialect dialect)
      : tokens_(text, dialect), quote_(dialect == SqlDialect::kMySql ? '`' : '"'), fold_(dialect == SqlDialect::kPostgres) {}

  StatementSummary run(bool complete) {
    StatementSummary out;
    Token t = next();
    if (t.kind != Kind::kWord) {
      if (t.kind == Kind::kOther) out.operation = t.punct == '(' ? "SELECT" : "_OTHER";  // (SELECT ...) UNION ...
      return out;
    }
    const std::string first = upper(t.text);
    out.operation = is_operation(first) ? first : "_OTHER";
    if (!complete && peek().kind == Kind::kEnd) {
      out.operation.clear();  // the keyword itself may be cut ("SELE")
      return out;
    }
    const bool with = first == "WITH";
    if (with) out.operation.clear();  // the statement after the CTEs says
    const bool copy = first == "COPY";
    bool ok = true;
    std::array<bool, kMaxSqlDepth + 1> list{};       // a comma at this depth names another table
    std::array<bool, kMaxSqlDepth + 1> call_args{};  // inside EXTRACT(... FROM ...) and the like
    size_t depth = 0;
    std::string prev_word;
    bool expect_name = !with && names_table(first);
    bool expect_from = first == "TABLE" || first == "TRUNCATE";
    bool after_from_name = false;  // the token follows a table after FROM/JOIN/USING
    if (expect_name) list[0] = first != "UPDATE" && first != "COPY";
    while (ok) {
      t = next();
      if (t.kind == Kind::kEnd) break;
      if (t.kind == Kind::kBroken || ++count_ > kMaxSqlTokens) {
        ok = false;
        break;
      }
      if (expect_name) {
        if (t.kind == Kind::kWord && before_name(upper(t.text))) continue;
        expect_name = false;
        if (t.kind == Kind::kWord || t.kind == Kind::kQuoted) {
          ok = read_name(t);
          after_from_name = expect_from;
          continue;
        }
      }
      if (t.kind != Kind::kWord) {
        const bool function_in_from = after_from_name;
        after_from_name = false;
        if (t.kind != Kind::kOther) {
          prev_word.clear();  // a quoted column or alias
          continue;
        }
        if (t.punct == '(') {
          if (function_in_from || depth >= kMaxSqlDepth) {
            ok = false;  // FROM f(...): a set-returning function, not a table
            continue;
          }
          ++depth;
          list[depth] = false;
          call_args[depth] = from_in_arguments(prev_word);
        } else if (t.punct == ')') {
          if (depth > 0) --depth;
        } else if (t.punct == ',' && list[depth]) {
          ok = false;  // FROM a, b
        } else if (t.punct == ';') {
          if (next().kind != Kind::kEnd) ok = false;  // a second statement
          break;
        }
        prev_word.clear();
        continue;
      }
      after_from_name = false;
      const std::string w = upper(t.text);
      prev_word = w;
      if (out.operation.empty() && depth == 0 &&
          (w == "SELECT" || w == "INSERT" || w == "UPDATE" || w == "DELETE" || w == "MERGE")) {
        out.operation = w;
      }
      if (ends_from_list(w)) list[depth] = false;
      if (w == "JOIN") {
        ok = false;  // two tables, or one twice
        continue;
      }
      if (!names_table(w) || (w == "FROM" && call_args[depth]) || (copy && depth == 0)) continue;
      expect_name = true;
      expect_from = w == "FROM" || w == "USING";
      list[depth] = w != "INTO" && w != "UPDATE";
    }
    if (with && out.operation.empty()) out.operation = "WITH";
    if (ok && complete && names_ == 1) out.collection = name_;
    return out;
  }

 private:
  Token next() {
    if (has_peek_) {
      has_peek_ = false;
      return peek_;
    }
    return tokens_.next();
  }
  const Token& peek() {
    if (!has_peek_) {
      peek_ = tokens_.next();
      has_peek_ = true;
    }
    return peek_;
  }

  // table, schema.table or db.schema.table; unquoted parts folded to lower
  // case as PostgreSQL does (MySQL keeps them), quoted ones kept.
  bool read_name(Token t) {
    std::string name;
    for (int part = 0; part < 3; ++part) {
      std::string piece;
      if (t.kind == Kind::kQuoted) {
        for (size_t i = 0; i < t.text.size(); ++i) {
          piece += t.text[i];
          if (t.text[i] == quote_) ++i;  // a doubled quote stands for one
        }
      } else if (t.kind == Kind::kWord) {
        piece = std::string(t.text);
        for (char& c : piece) {
          if (!fold_) break;
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
      } else {
        return false;
      }
      if (piece.empty() || piece.size() > kMaxSqlIdentifier) return false;
      if (!name.empty()) name += '.';
      name += piece;
      if (peek().kind != Kind::kOther || peek().punct != '.') {
        add_name(name);
        return true;
      }
      next();  // the dot
      t = next();
    }
    return false;
  }

  void add_name(const std::string& n) {
    if (names_ == 0) {
      name_ = n;
      names_ = 1;
    } else if (n != name_) {
      names_ = 2;
    }
  }

  Tokens tokens_;
  char quote_;  // of a quoted identifier
  bool fold_;   // unquoted identifiers to lower case
  Token peek_;
  bool has_peek_ = false;
  size_t count_ = 0;
  std::string name_;
  int names_ = 0;
};

}  // namespace

StatementSummary summarize_sql(std::string_view text, bool complete, SqlDialect dialect) {
  return Summarizer(text, dialect).run(complete);
}

}  // namespace kscope::requests
