#include "requests/redis_commands.h"

#include <algorithm>
#include <string>

namespace kscope::requests {
namespace {

// The commands of Redis 7.0 (its COMMAND LIST, sorted byte-wise), container
// subcommands as "CONTAINER SUBCOMMAND".
constexpr std::string_view kCommands[] = {
    "ACL", "ACL CAT", "ACL DELUSER", "ACL DRYRUN", "ACL GENPASS", "ACL GETUSER", "ACL HELP", "ACL LIST",
    "ACL LOAD", "ACL LOG", "ACL SAVE", "ACL SETUSER", "ACL USERS", "ACL WHOAMI", "APPEND", "ASKING", "AUTH",
    "BGREWRITEAOF", "BGSAVE", "BITCOUNT", "BITFIELD", "BITFIELD_RO", "BITOP", "BITPOS", "BLMOVE", "BLMPOP",
    "BLPOP", "BRPOP", "BRPOPLPUSH", "BZMPOP", "BZPOPMAX", "BZPOPMIN", "CLIENT", "CLIENT CACHING",
    "CLIENT GETNAME", "CLIENT GETREDIR", "CLIENT HELP", "CLIENT ID", "CLIENT INFO", "CLIENT KILL",
    "CLIENT LIST", "CLIENT NO-EVICT", "CLIENT PAUSE", "CLIENT REPLY", "CLIENT SETNAME", "CLIENT TRACKING",
    "CLIENT TRACKINGINFO", "CLIENT UNBLOCK", "CLIENT UNPAUSE", "CLUSTER", "CLUSTER ADDSLOTS",
    "CLUSTER ADDSLOTSRANGE", "CLUSTER BUMPEPOCH", "CLUSTER COUNT-FAILURE-REPORTS", "CLUSTER COUNTKEYSINSLOT",
    "CLUSTER DELSLOTS", "CLUSTER DELSLOTSRANGE", "CLUSTER FAILOVER", "CLUSTER FLUSHSLOTS", "CLUSTER FORGET",
    "CLUSTER GETKEYSINSLOT", "CLUSTER HELP", "CLUSTER INFO", "CLUSTER KEYSLOT", "CLUSTER LINKS",
    "CLUSTER MEET", "CLUSTER MYID", "CLUSTER NODES", "CLUSTER REPLICAS", "CLUSTER REPLICATE", "CLUSTER RESET",
    "CLUSTER SAVECONFIG", "CLUSTER SET-CONFIG-EPOCH", "CLUSTER SETSLOT", "CLUSTER SHARDS", "CLUSTER SLAVES",
    "CLUSTER SLOTS", "COMMAND", "COMMAND COUNT", "COMMAND DOCS", "COMMAND GETKEYS", "COMMAND GETKEYSANDFLAGS",
    "COMMAND HELP", "COMMAND INFO", "COMMAND LIST", "CONFIG", "CONFIG GET", "CONFIG HELP", "CONFIG RESETSTAT",
    "CONFIG REWRITE", "CONFIG SET", "COPY", "DBSIZE", "DEBUG", "DECR", "DECRBY", "DEL", "DISCARD", "DUMP",
    "ECHO", "EVAL", "EVALSHA", "EVALSHA_RO", "EVAL_RO", "EXEC", "EXISTS", "EXPIRE", "EXPIREAT", "EXPIRETIME",
    "FAILOVER", "FCALL", "FCALL_RO", "FLUSHALL", "FLUSHDB", "FUNCTION", "FUNCTION DELETE", "FUNCTION DUMP",
    "FUNCTION FLUSH", "FUNCTION HELP", "FUNCTION KILL", "FUNCTION LIST", "FUNCTION LOAD", "FUNCTION RESTORE",
    "FUNCTION STATS", "GEOADD", "GEODIST", "GEOHASH", "GEOPOS", "GEORADIUS", "GEORADIUSBYMEMBER",
    "GEORADIUSBYMEMBER_RO", "GEORADIUS_RO", "GEOSEARCH", "GEOSEARCHSTORE", "GET", "GETBIT", "GETDEL", "GETEX",
    "GETRANGE", "GETSET", "HDEL", "HELLO", "HEXISTS", "HGET", "HGETALL", "HINCRBY", "HINCRBYFLOAT", "HKEYS",
    "HLEN", "HMGET", "HMSET", "HRANDFIELD", "HSCAN", "HSET", "HSETNX", "HSTRLEN", "HVALS", "INCR", "INCRBY",
    "INCRBYFLOAT", "INFO", "KEYS", "LASTSAVE", "LATENCY", "LATENCY DOCTOR", "LATENCY GRAPH", "LATENCY HELP",
    "LATENCY HISTOGRAM", "LATENCY HISTORY", "LATENCY LATEST", "LATENCY RESET", "LCS", "LINDEX", "LINSERT",
    "LLEN", "LMOVE", "LMPOP", "LOLWUT", "LPOP", "LPOS", "LPUSH", "LPUSHX", "LRANGE", "LREM", "LSET", "LTRIM",
    "MEMORY", "MEMORY DOCTOR", "MEMORY HELP", "MEMORY MALLOC-STATS", "MEMORY PURGE", "MEMORY STATS",
    "MEMORY USAGE", "MGET", "MIGRATE", "MODULE", "MODULE HELP", "MODULE LIST", "MODULE LOAD", "MODULE LOADEX",
    "MODULE UNLOAD", "MONITOR", "MOVE", "MSET", "MSETNX", "MULTI", "OBJECT", "OBJECT ENCODING", "OBJECT FREQ",
    "OBJECT HELP", "OBJECT IDLETIME", "OBJECT REFCOUNT", "PERSIST", "PEXPIRE", "PEXPIREAT", "PEXPIRETIME",
    "PFADD", "PFCOUNT", "PFDEBUG", "PFMERGE", "PFSELFTEST", "PING", "PSETEX", "PSUBSCRIBE", "PSYNC", "PTTL",
    "PUBLISH", "PUBSUB", "PUBSUB CHANNELS", "PUBSUB HELP", "PUBSUB NUMPAT", "PUBSUB NUMSUB",
    "PUBSUB SHARDCHANNELS", "PUBSUB SHARDNUMSUB", "PUNSUBSCRIBE", "QUIT", "RANDOMKEY", "READONLY",
    "READWRITE", "RENAME", "RENAMENX", "REPLCONF", "REPLICAOF", "RESET", "RESTORE", "RESTORE-ASKING", "ROLE",
    "RPOP", "RPOPLPUSH", "RPUSH", "RPUSHX", "SADD", "SAVE", "SCAN", "SCARD", "SCRIPT", "SCRIPT DEBUG",
    "SCRIPT EXISTS", "SCRIPT FLUSH", "SCRIPT HELP", "SCRIPT KILL", "SCRIPT LOAD", "SDIFF", "SDIFFSTORE",
    "SELECT", "SET", "SETBIT", "SETEX", "SETNX", "SETRANGE", "SHUTDOWN", "SINTER", "SINTERCARD",
    "SINTERSTORE", "SISMEMBER", "SLAVEOF", "SLOWLOG", "SLOWLOG GET", "SLOWLOG HELP", "SLOWLOG LEN",
    "SLOWLOG RESET", "SMEMBERS", "SMISMEMBER", "SMOVE", "SORT", "SORT_RO", "SPOP", "SPUBLISH", "SRANDMEMBER",
    "SREM", "SSCAN", "SSUBSCRIBE", "STRLEN", "SUBSCRIBE", "SUBSTR", "SUNION", "SUNIONSTORE", "SUNSUBSCRIBE",
    "SWAPDB", "SYNC", "TIME", "TOUCH", "TTL", "TYPE", "UNLINK", "UNSUBSCRIBE", "UNWATCH", "WAIT", "WATCH",
    "XACK", "XADD", "XAUTOCLAIM", "XCLAIM", "XDEL", "XGROUP", "XGROUP CREATE", "XGROUP CREATECONSUMER",
    "XGROUP DELCONSUMER", "XGROUP DESTROY", "XGROUP HELP", "XGROUP SETID", "XINFO", "XINFO CONSUMERS",
    "XINFO GROUPS", "XINFO HELP", "XINFO STREAM", "XLEN", "XPENDING", "XRANGE", "XREAD", "XREADGROUP",
    "XREVRANGE", "XSETID", "XTRIM", "ZADD", "ZCARD", "ZCOUNT", "ZDIFF", "ZDIFFSTORE", "ZINCRBY", "ZINTER",
    "ZINTERCARD", "ZINTERSTORE", "ZLEXCOUNT", "ZMPOP", "ZMSCORE", "ZPOPMAX", "ZPOPMIN", "ZRANDMEMBER",
    "ZRANGE", "ZRANGEBYLEX", "ZRANGEBYSCORE", "ZRANGESTORE", "ZRANK", "ZREM", "ZREMRANGEBYLEX",
    "ZREMRANGEBYRANK", "ZREMRANGEBYSCORE", "ZREVRANGE", "ZREVRANGEBYLEX", "ZREVRANGEBYSCORE", "ZREVRANK",
    "ZSCAN", "ZSCORE", "ZUNION", "ZUNIONSTORE",
};

bool known(std::string_view name) {
  return std::binary_search(std::begin(kCommands), std::end(kCommands), name);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace

std::string redis_operation_name(std::string_view command, bool command_known, std::string_view argument,
                                 bool argument_known, bool has_argument) {
  if (!command_known) return "";
  std::string name = upper(command);
  if (!known(name)) return "_OTHER";
  if (!has_argument) return name;
  // A container's subcommands follow it in the sorted table.
  const std::string container = name + " ";
  auto next = std::upper_bound(std::begin(kCommands), std::end(kCommands), std::string_view(name));
  const bool is_container = next != std::end(kCommands) && next->substr(0, container.size()) == container;
  if (!is_container) return name;
  if (!argument_known) return "";
  std::string two = container + upper(argument);
  return known(two) ? two : name;
}

bool redis_starts_subscription(std::string_view operation) {
  return operation == "SUBSCRIBE" || operation == "PSUBSCRIBE" || operation == "SSUBSCRIBE" || operation == "MONITOR";
}

}  // namespace kscope::requests
