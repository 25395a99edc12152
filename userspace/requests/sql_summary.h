// What a SQL statement may say in a label, and nothing more: its
// operation (the statement's keyword: SELECT, INSERT, BEGIN, ...) and,
// only when the statement names exactly one table, that table
// ("orders", "sales.orders"). Literals, numbers, parameters and comments
// are never kept. Two dialects: PostgreSQL's ("..." quotes an identifier,
// which is folded to lower case unless quoted; $tag$ literals; nested
// block comments) and MySQL's (`...` quotes an identifier and "..." is a
// string, both kinds of string take backslash escapes, # starts a comment,
// identifiers are kept as written since table names are case-sensitive
// there).
//
// A small, bounded tokeniser (no grammar): at most kMaxSqlTokens tokens
// and kMaxSqlDepth nested parentheses are followed; past them, or when the
// statement was not captured whole, or a string, quoted identifier or
// comment does not end, the table is left out. It errs towards leaving the
// table out: a function in FROM, a join, a comma in FROM, a subquery over
// another table, a second statement all leave db_collection_name empty.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace kscope::requests {

inline constexpr size_t kMaxSqlTokens = 4096;
inline constexpr size_t kMaxSqlDepth = 32;
inline constexpr size_t kMaxSqlIdentifier = 63;  // PostgreSQL's NAMEDATALEN - 1

struct StatementSummary {
  std::string operation;   // "" when the statement is empty or its keyword unknown ("_OTHER")
  std::string collection;  // "" unless exactly one table is named
};

enum class SqlDialect : uint8_t { kPostgres, kMySql };

// `complete`: the text is the whole statement (not cut by the capture).
StatementSummary summarize_sql(std::string_view text, bool complete, SqlDialect dialect = SqlDialect::kPostgres);

}  // namespace kscope::requests
