#include "requests/sql_summary.h"

#include <gtest/gtest.h>

#include <string>

namespace kscope::requests {
namespace {

StatementSummary sum(std::string_view sql) { return summarize_sql(sql, true); }

TEST(SqlSummary, OperationAndTheOneTable) {
  EXPECT_EQ(sum("SELECT a FROM t WHERE b = 1").collection, "t");
  EXPECT_EQ(sum("select a from T where b = 1").operation, "SELECT");
  EXPECT_EQ(sum("select a from T where b = 1").collection, "t");  // folded like PostgreSQL
  EXPECT_EQ(sum("INSERT INTO sales.orders (a, b) VALUES ($1, $2)").collection, "sales.orders");
  EXPECT_EQ(sum("UPDATE ONLY t SET a = 1, b = 2 WHERE c IN (1, 2)").collection, "t");
  EXPECT_EQ(sum("DELETE FROM \"My Table\" WHERE x = 1").collection, "My Table");
  EXPECT_EQ(sum("SELECT \"t\".\"id\" FROM \"public\".\"T\"").collection, "public.T");
  EXPECT_EQ(sum("CREATE TABLE IF NOT EXISTS t (id int)").collection, "t");
  EXPECT_EQ(sum("TRUNCATE TABLE t").collection, "t");
  EXPECT_EQ(sum("COPY t (a, b) FROM STDIN").collection, "t");
  EXPECT_EQ(sum("SELECT * FROM t WHERE id IN (SELECT id FROM t WHERE x > 1)").collection, "t");
  EXPECT_EQ(sum("SELECT EXTRACT(YEAR FROM ts), SUBSTRING(s FROM 2) FROM t").collection, "t");
  EXPECT_EQ(sum("SELECT * FROM (SELECT a FROM t) AS sub").collection, "t");
  EXPECT_EQ(sum("SELECT 1;").collection, "");
  EXPECT_EQ(sum("SELECT 1;").operation, "SELECT");
  EXPECT_EQ(sum("  \n-- a comment\nBEGIN").operation, "BEGIN");
  EXPECT_EQ(sum("commit").operation, "COMMIT");
  EXPECT_EQ(sum("WITH x AS (SELECT 1) DELETE FROM t").operation, "DELETE");
  EXPECT_EQ(sum("(SELECT 1) UNION (SELECT 2)").operation, "SELECT");
  EXPECT_EQ(sum("").operation, "");
}

TEST(SqlSummary, NoTableWhenMoreThanOneOrUnsure) {
  for (const char* sql : {
           "SELECT * FROM a, b",
           "SELECT * FROM a JOIN b ON a.id = b.id",
           "SELECT * FROM a NATURAL JOIN a",
           "SELECT * FROM a WHERE id IN (SELECT id FROM b)",
           "INSERT INTO a SELECT * FROM b",
           "UPDATE a SET x = b.x FROM b WHERE a.id = b.id",
           "DELETE FROM a USING b WHERE a.id = b.id",
           "SELECT * FROM generate_series(1, 10)",
           "SELECT a FROM t UNION SELECT a FROM u",
           "WITH x AS (SELECT * FROM t) SELECT * FROM x",
           "SELECT 1 FROM t; DROP TABLE u",
           "DROP TABLE a, b",
           "SELECT * FROM a.b.c.d",
           "SELECT 1",
       }) {
    EXPECT_EQ(sum(sql).collection, "") << sql;
  }
}

TEST(SqlSummary, LiteralsAndCommentsNeverBecomeNames) {
  EXPECT_EQ(sum("SELECT 'FROM secret' FROM t").collection, "t");
  EXPECT_EQ(sum("SELECT $$ FROM secret $$ FROM t").collection, "t");
  EXPECT_EQ(sum("SELECT $tag$ it's $$ FROM secret $tag$ FROM t").collection, "t");
  EXPECT_EQ(sum("SELECT E'\\' FROM secret' FROM t").collection, "t");
  EXPECT_EQ(sum("SELECT 'it''s FROM secret' FROM t").collection, "t");
  EXPECT_EQ(sum("SELECT a /* FROM secret */ FROM t -- JOIN secret").collection, "t");
  EXPECT_EQ(sum("SELECT a /* nested /* FROM secret */ still */ FROM t").collection, "t");
  EXPECT_EQ(sum("SELECT * FROM $1").collection, "");
  EXPECT_EQ(sum("SELECT * FROM 'secret'").collection, "");
  // The operation is a keyword of the list, never a word the client chose.
  EXPECT_EQ(sum("secret_word FROM t").operation, "_OTHER");
  EXPECT_EQ(sum("'secret' FROM t").operation, "_OTHER");
}

TEST(SqlSummary, UnterminatedOrCutStatementsKeepNoTable) {
  EXPECT_EQ(sum("SELECT 'FROM secret FROM t").collection, "");
  EXPECT_EQ(sum("SELECT a FROM t WHERE b = \"unterminated").collection, "");
  EXPECT_EQ(sum("SELECT a /* FROM t").collection, "");
  EXPECT_EQ(sum("SELECT $x$ FROM t").collection, "");
  EXPECT_EQ(summarize_sql("SELECT a FROM t", false).collection, "");  // a JOIN may follow
  EXPECT_EQ(summarize_sql("SELECT a FROM t", false).operation, "SELECT");
  EXPECT_EQ(summarize_sql("SELE", false).operation, "");  // the keyword itself cut
  EXPECT_EQ(summarize_sql("DELETE", false).operation, "");
}

TEST(SqlSummary, HostileShapesStayBounded) {
  std::string deep = "SELECT " + std::string(100000, '(') + "1" + std::string(100000, ')') + " FROM t";
  EXPECT_EQ(sum(deep).collection, "");
  EXPECT_EQ(sum(deep).operation, "SELECT");
  std::string many = "SELECT ";
  for (int i = 0; i < 10000; ++i) many += "a, ";
  many += "b FROM t";
  EXPECT_EQ(sum(many).collection, "");  // past kMaxSqlTokens: not sure
  std::string longname = "SELECT * FROM " + std::string(64, 'n');
  EXPECT_EQ(sum(longname).collection, "");
  EXPECT_EQ(sum("SELECT * FROM " + std::string(63, 'n')).collection, std::string(63, 'n'));
  std::string quoted = "SELECT * FROM \"a\"\"b\"";
  EXPECT_EQ(sum(quoted).collection, "a\"b");
  std::string binary("SELECT * FROM t\0\xff\xfe", 18);
  EXPECT_EQ(sum(binary).operation, "SELECT");
  EXPECT_EQ(sum(")))) FROM t").operation, "_OTHER");
  EXPECT_EQ(sum("SELECT * FROM t))))").collection, "t");
}

StatementSummary my(std::string_view sql) { return summarize_sql(sql, true, SqlDialect::kMySql); }

TEST(SqlSummary, MySqlDialect) {
  EXPECT_EQ(my("SELECT * FROM `Orders` WHERE id = 1").collection, "Orders");
  EXPECT_EQ(my("select * from Orders").collection, "Orders");  // not folded: case-sensitive on Linux
  EXPECT_EQ(my("SELECT * FROM shop.`my table`").collection, "shop.my table");
  EXPECT_EQ(my("SELECT * FROM `a``b`").collection, "a`b");
  EXPECT_EQ(my("REPLACE INTO t VALUES (1)").operation, "REPLACE");
  EXPECT_EQ(my("REPLACE INTO t VALUES (1)").collection, "t");
  EXPECT_EQ(my("USE shop").operation, "USE");
  // "..." is a string in MySQL, never a name; backslashes escape quotes.
  EXPECT_EQ(my("SELECT * FROM t WHERE a = \"secret\"").collection, "t");
  EXPECT_EQ(my("SELECT \"secret\" FROM t").collection, "t");
  EXPECT_EQ(my("INSERT INTO t VALUES ('it\\'s', \"x\\\" FROM secret\")").collection, "t");
  EXPECT_EQ(my("SELECT * FROM t WHERE a = 'x\\' FROM secret -- '").collection, "t");
  EXPECT_EQ(my("SELECT 1 # FROM secret\n FROM t").collection, "t");
  // Block comments do not nest in MySQL.
  EXPECT_EQ(my("SELECT /* /* */ * FROM t").collection, "t");
  EXPECT_EQ(my("SELECT * FROM t WHERE a = 'open").collection, "");
  // The PostgreSQL dialect reads the same text its own way.
  EXPECT_EQ(sum("SELECT * FROM `t`").collection, "");
}

}  // namespace
}  // namespace kscope::requests
