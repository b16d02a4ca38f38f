# The `kubectl attach` relay (see attach.ts): Node cannot open conmon's SOCK_SEQPACKET attach
# socket, Perl can. Packets from conmon go to stdout as a 4-byte length and the packet; stdin goes
# to the socket as packets, its end as a shutdown of the write side. Usage: perl attachrelay.pl SOCKET
use strict; use Socket;
my $path = shift;
socket(my $s, AF_UNIX, SOCK_SEQPACKET, 0) or die "socket: $!\n";
connect($s, pack_sockaddr_un($path)) or die "cannot attach to $path: $!\n";
binmode STDIN; binmode STDOUT;
my ($in, $sock) = (fileno(STDIN), fileno($s));
my $open = 1;
sub put { my $d = shift; while (length $d) { my $n = syswrite(STDOUT, $d); defined $n or exit 0; substr($d, 0, $n) = ''; } }
while (1) {
  my $r = ''; vec($r, $sock, 1) = 1; vec($r, $in, 1) = 1 if $open;
  next if select($r, undef, undef, undef) < 0;
  if (vec($r, $sock, 1)) {
    defined(recv($s, my $p, 8193, 0)) or exit 0;
    exit 0 if length($p) == 0;
    put(pack('N', length $p) . $p);
  }
  if ($open && vec($r, $in, 1)) {
    my $n = sysread(STDIN, my $d, 8192);
    if (!$n) { shutdown($s, 1); $open = 0; } else { send($s, $d, 0); }
  }
}
