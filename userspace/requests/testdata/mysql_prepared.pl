use strict; use DBI;
my $port = shift;
my $dbh = DBI->connect("DBI:MariaDB:database=kscope;host=127.0.0.1;port=$port;mariadb_server_prepare=1", "root", "", {RaiseError => 0, PrintError => 0, AutoCommit => 1});
my $ins = $dbh->prepare("INSERT INTO t (id, v) VALUES (?, ?)");
$ins->execute($_, "secret$_") for 1..5;
$ins->execute(1, "dup");  # 1062
my $sel = $dbh->prepare("SELECT v FROM t WHERE id = ?");
for my $i (1..3) { $sel->execute($i); while (my @r = $sel->fetchrow_array) {} }
$sel->finish; undef $sel; undef $ins;
$dbh->disconnect;
