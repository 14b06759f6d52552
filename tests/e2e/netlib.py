"""Network helpers for the serving end-to-end tests of chat-admin-server:
free loopback ports, socket clients that read one response at a time, the
program (or a wrapper around it) run as a background process with its log in
a file, and the checks every served token gets.  Protocol, config and token
helpers come from caslib."""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

from caslib import (CAS_BIN, TOP_SRCDIR, child_env, decode, request,
                    split_responses, write_config)

# The source tree (for contrib/), also when run by hand without top_srcdir.
TOP = TOP_SRCDIR or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

NUL_TERM = b"\n\0"
NL_TERM = b"\n"
COMPACT_KEYS = ["success", "message", "token", "time"]


# ---------------------------------------------------------------- addresses

def ipv6_loopback_works():
    """True if ::1 can be bound and connected to here."""
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        return False
    try:
        s.bind(("::1", 0))
        s.listen(1)
        c = socket.create_connection(("::1", s.getsockname()[1]), timeout=2)
        c.close()
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port(host="127.0.0.1"):
    """A TCP port that was free on host a moment ago (bind port 0, read it
    back, close)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def wait_connectable(host, port, timeout=10, proc=None):
    """Poll until a TCP connection to host:port succeeds (the probe is closed
    at once); False after timeout seconds or if proc exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            c = socket.create_connection((host, port), timeout=1)
            c.close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def wait_refused(host, port, timeout=5):
    """Poll until a TCP connection to host:port is refused: True once no
    process holds the listening socket, False if it still accepts after
    timeout seconds.  Processes that held it may take a moment to exit."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            c = socket.create_connection((host, port), timeout=1)
            c.close()
        except ConnectionRefusedError:
            return True
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def wait_for_text(path, text, timeout=10, proc=None):
    """Poll until the file at path contains text; False on timeout or if proc
    exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(path, "rb") as f:
                if text.encode() in f.read():
                    return True
        except OSError:
            pass
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


# ---------------------------------------------------------------- clients

class Conn:
    """A client connection that reads one terminated response at a time."""

    def __init__(self, host, port, timeout=5, sock=None):
        self.sock = sock if sock is not None else \
            socket.create_connection((host, port), timeout=timeout)
        self.pending = b""
        self.eof = False

    def send(self, data):
        self.sock.sendall(data)

    def read_until(self, term=NUL_TERM, timeout=10):
        """Bytes up to and including term; None on timeout or EOF first."""
        deadline = time.monotonic() + timeout
        while True:
            i = self.pending.find(term)
            if i >= 0:
                n = i + len(term)
                out, self.pending = self.pending[:n], self.pending[n:]
                return out
            left = deadline - time.monotonic()
            if left <= 0 or self.eof or not self._fill(left):
                return None

    def read_to_eof(self, timeout=10):
        """Everything until the peer closes; None if it does not close in
        time."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0 or not self._fill(left):
                return None
        out, self.pending = self.pending, b""
        return out

    def has_data(self, wait):
        """True if something (or EOF) arrives within wait seconds; the data
        stays pending."""
        if self.pending or self.eof:
            return True
        return self._fill(wait)

    def _fill(self, timeout):
        """One recv into pending: True if bytes or EOF (or an error, taken
        as EOF) came within timeout seconds, False if nothing did."""
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        except OSError:
            self.eof = True
            return True
        if not chunk:
            self.eof = True
        self.pending += chunk
        return True

    def shutdown_write(self):
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def answered(conns, wait):
    """Indexes of the connections (None entries skipped) that have a reply
    within wait seconds, checked together: the whole wait applies once,
    ending early only when every connection has answered."""
    deadline = time.monotonic() + wait
    live = sum(c is not None for c in conns)
    got = set()
    while time.monotonic() < deadline and len(got) < live:
        for i, c in enumerate(conns):
            if i not in got and c is not None and c.has_data(0.02):
                got.add(i)
    return got


# ---------------------------------------------------------------- responses

def token_problem(raw, seq=None, name="Bob", room="lobby", term=NUL_TERM):
    """None if raw (one response, terminator included) is a compact success
    reply carrying seq and a token PyJWT accepts for name and room; else a
    string saying what is wrong."""
    if raw is None:
        return "no response"
    if not raw.endswith(term):
        return "response not ended by %r: %r" % (term, raw[-20:])
    resps = split_responses(raw)
    if len(resps) != 1:
        return "expected one response, got %d: %r" % (len(resps), raw[:200])
    r = resps[0]
    if r.obj is None:
        return "response is not JSON: %r" % raw[:200]
    want_keys = COMPACT_KEYS + (["seq"] if seq is not None else [])
    if r.keys != want_keys:
        return "keys %r, expected %r" % (r.keys, want_keys)
    compact = json.dumps(r.obj, separators=(",", ":"), ensure_ascii=False)
    if r.raw.decode("utf-8") != compact:
        return "response is not compact JSON: %r" % raw[:200]
    if r.get("success") is not True or r.get("message") != "OK":
        return "not a success: %r" % raw[:200]
    if seq is not None and r.get("seq") != seq:
        return "seq %r, expected %r" % (r.get("seq"), seq)
    try:
        claims = decode(r.get("token"))
    except Exception as e:  # any PyJWT refusal
        return "PyJWT refuses the token: %s" % e
    if claims.get("room") != room:
        return "room %r, expected %r" % (claims.get("room"), room)
    user = claims.get("context", {}).get("user", {})
    if user.get("name") != name:
        return "context.user.name %r, expected %r" % (user.get("name"), name)
    return None


def exchange(conn, seq, name="Bob", room="lobby", term=NUL_TERM, timeout=10):
    """Send one request with seq on conn, read its reply; None if all is
    well, else what is wrong."""
    conn.send(request(seq=seq, displayName=name, channel=room) +
              (b"\0" if term == NUL_TERM else b"\n"))
    raw = conn.read_until(term, timeout)
    return token_problem(raw, seq, name, room, term)


def one_shot(host, port, seq=1, timeout=10):
    """Connect, ask for one token, close; None if all is well."""
    try:
        conn = Conn(host, port, timeout=timeout)
    except OSError as e:
        return "connect: %s" % e
    try:
        return exchange(conn, seq, timeout=timeout)
    except OSError as e:
        return "socket error: %s" % e
    finally:
        conn.close()


def concurrent_clients(host, port, clients=8, interactive=3, pipelined=3,
                       timeout=20):
    """clients connections at once, each sending interactive requests one at
    a time (waiting for each reply), then pipelined requests in one write.
    Returns a list of problems (empty if every reply was a valid token)."""
    problems = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients, timeout=timeout)

    def worker(k):
        mine = []
        conn = None
        try:
            conn = Conn(host, port, timeout=timeout)
            barrier.wait()
            name = "User%d" % k
            for i in range(interactive):
                p = exchange(conn, k * 100 + i, name=name, timeout=timeout)
                if p:
                    mine.append("client %d request %d: %s" % (k, i, p))
            seqs = [k * 100 + 50 + i for i in range(pipelined)]
            conn.send(b"".join(request(seq=s, displayName=name) + b"\0"
                               for s in seqs))
            for s in seqs:
                raw = conn.read_until(NUL_TERM, timeout)
                p = token_problem(raw, s, name)
                if p:
                    mine.append("client %d pipelined seq %d: %s" % (k, s, p))
        except (OSError, threading.BrokenBarrierError) as e:
            mine.append("client %d: %s" % (k, e))
        finally:
            if conn is not None:
                conn.close()
        with lock:
            problems.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout + 5)
        if th.is_alive():
            problems.append("a client thread did not finish in time")
    return problems


def sequential_clients(host, port, count=150, time_limit=60):
    """count connections one after the other, one request each; returns
    (number served, list of problems)."""
    deadline = time.monotonic() + time_limit
    served = 0
    problems = []
    for i in range(count):
        if time.monotonic() > deadline:
            problems.append("time limit hit after %d connections" % i)
            break
        p = one_shot(host, port, seq=i)
        if p:
            problems.append("connection %d: %s" % (i, p))
            if len(problems) >= 5:
                break
        else:
            served += 1
    return served, problems


def check_serving(t, what, proc, host, port, count, time_limit):
    """Two TAP tests on a serving proc: 8 concurrent connections of 6
    requests each, then count sequential connections within time_limit
    seconds, all answered with valid tokens."""
    problems = concurrent_clients(host, port, clients=8, interactive=3,
                                  pipelined=3)
    if not t.ok(not problems, "%s: 8 concurrent connections, 6 requests each, "
                "all answered with valid tokens" % what):
        t.diag("\n".join(problems[:10]))
        t.diag(proc.log_tail())
    served, problems = sequential_clients(host, port, count=count,
                                          time_limit=time_limit)
    if not t.eq(served, count, "%s: %d sequential connections served"
                % (what, count)):
        t.diag("\n".join(problems[:10]))
        t.diag(proc.log_tail())


# ---------------------------------------------------------------- processes

class Proc:
    """A background process with stdout and stderr in files under tmpdir."""

    def __init__(self, argv, tmpdir, name="cas", env=None, stdin=None):
        self.argv = argv
        self.out_path = os.path.join(tmpdir, name + ".out")
        self.err_path = os.path.join(tmpdir, name + ".err")
        out = open(self.out_path, "wb")
        err = open(self.err_path, "wb")
        try:
            self.p = subprocess.Popen(
                argv, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=out, stderr=err, env=env if env is not None else child_env(),
                start_new_session=True)
        finally:
            out.close()
            err.close()
        self.pid = self.p.pid

    def poll(self):
        return self.p.poll()

    def alive(self):
        return self.p.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout):
        """Exit status, or None if still running after timeout seconds."""
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=8):
        """SIGTERM, then SIGKILL to the whole process group if it lingers;
        always reaps.  Returns the exit status."""
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if self.wait(timeout) is None:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return self.p.wait()

    def stdout(self):
        with open(self.out_path, "rb") as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read()

    def log_tail(self, n=15):
        text = self.stderr().decode("utf-8", "replace").splitlines()
        return "\n".join(text[-n:])


def children_of(pid):
    """[(pid, stat)] of the processes whose parent is pid."""
    out = subprocess.run(["ps", "--ppid", str(pid), "-o", "pid=,stat="],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True).stdout
    rows = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].isdigit():
            rows.append((int(parts[0]), parts[1]))
    return rows


def wait_children(pid, pred, timeout=5):
    """Poll children_of(pid) until pred(rows) holds; returns the last rows
    and whether pred held."""
    deadline = time.monotonic() + timeout
    while True:
        rows = children_of(pid)
        if pred(rows):
            return rows, True
        if time.monotonic() > deadline:
            return rows, False
        time.sleep(0.05)


# ---------------------------------------------------------------- spares

# limits.spare_processes when the config leaves it out.
DEFAULT_SPARES = 4
# The serving tests run each scenario with spares off and on.
SPARE_SETTINGS = (0, 3)
TCP_LISTEN = "0A"


def fds_hidden():
    """None when this test may look into the program's processes'
    /proc/PID/fd, else why not (a reason for a skip).  The program makes
    its processes non-dumpable, so those entries belong to root and only
    root may read them; which child is a spare or serves a connection is
    then out of sight."""
    if os.geteuid() == 0:
        return None
    return ("not root: the program's processes are not dumpable, their "
            "/proc/PID/fd needs root")


def seen(check):
    """check() when fds_hidden() is None; else None, check not called."""
    if fds_hidden() is not None:
        return None
    return check()


def ok_seen(t, cond, desc):
    """t.ok(cond, desc), or a skip saying why when cond is None: what it
    asserts rests on the program's /proc/PID/fd, which is hidden here (see
    fds_hidden).  Where it is not hidden, None fails like False, so that
    nothing is skipped there.  Returns what t.ok returned, or None after a
    skip."""
    why = fds_hidden()
    if cond is None and why is not None:
        skip(t, "%s: %s" % (desc, why))
        return None
    return t.ok(cond, desc)


def socket_inodes(pid):
    """Inodes of the sockets process pid holds (empty once it is gone)."""
    inodes = set()
    try:
        names = os.listdir("/proc/%d/fd" % pid)
    except OSError:
        return inodes
    for name in names:
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, name))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(int(link[len("socket:["):-1]))
    return inodes


def tcp_sockets():
    """(local port, remote port, state, inode) of every TCP socket here,
    from /proc/net/tcp and tcp6."""
    rows = []
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            p = line.split()
            rows.append((int(p[1].rsplit(":", 1)[1], 16),
                         int(p[2].rsplit(":", 1)[1], 16), p[3], int(p[9])))
    return rows


def live_children(pid):
    """Pids of the children of pid that have not ended."""
    return [c for c, stat in children_of(pid) if not stat.startswith("Z")]


def spares_of(pid):
    """The children of pid waiting to accept a connection: those holding one
    of its listening sockets (a child serving a connection has closed
    them); None when that cannot be seen here (fds_hidden)."""
    if fds_hidden() is not None:
        return None
    listening = {ino for _, _, st, ino in tcp_sockets() if st == TCP_LISTEN}
    mine = socket_inodes(pid) & listening
    return [c for c in live_children(pid) if socket_inodes(c) & mine]


def serving_child(pid, conn):
    """The child of pid holding the server's end of conn, or None (also
    when that cannot be seen here: fds_hidden)."""
    here = conn.sock.getsockname()[1]
    there = conn.sock.getpeername()[1]
    ends = {ino for lp, rp, _, ino in tcp_sockets()
            if lp == there and rp == here and ino != 0}
    for c in live_children(pid):
        if socket_inodes(c) & ends:
            return c
    return None


def proc_state(pid):
    """The state letter of process pid ("R", "S", "T", "Z"...), or None once
    it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return None


def exited(pid):
    """True if pid is gone or a zombie."""
    return proc_state(pid) in (None, "Z")


def stop_processes(pids, timeout=5):
    """SIGSTOP each of pids and wait until all are stopped, so that nothing
    they wait on is taken or woken meanwhile; True if they all stopped."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGSTOP)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(proc_state(pid) in ("T", "t", None) for pid in pids):
            return True
        time.sleep(0.01)
    return False


def continue_processes(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass


def wait_settled(pid, spares, timeout=5, busy=0):
    """Poll until pid's children are exactly spares spare processes and busy
    ones serving connections; returns (children, spares among them,
    whether that held).  Where the spares cannot be seen (fds_hidden) only
    the number of children is waited for: the spares are then None and
    "whether that held" None once that number is right (which children
    are spares is unknown) or False if it never was; but with no child
    expected at all, none there is the whole answer."""
    deadline = time.monotonic() + timeout
    while True:
        kids = live_children(pid)
        found = spares_of(pid)
        if found is None and len(kids) == spares + busy:
            if spares + busy == 0:
                return kids, [], True
            return kids, None, None
        if found is not None and len(found) == spares and \
                len(kids) == spares + busy:
            return kids, found, True
        if time.monotonic() > deadline:
            return kids, found, False
        time.sleep(0.05)


def start_listener(tmp, name, host="127.0.0.1", env=None, settle=None,
                   args=(), **config):
    """The program listening on a free port of host (config "inbound", plus
    the config sections given as keywords, as for write_config), its config
    and logs under tmp named after name, args before -c.  proc.spares is
    the number of spares it should keep while idle.  With settle, wait up
    to that many seconds for the child that served the readiness probe to
    go and the spares to be there.  Returns (proc, port), port None if it
    never listened."""
    port = free_port(host)
    cfg = write_config(tmp, name=name + ".json",
                       inbound={"host": host, "port": port}, **config)
    proc = Proc([CAS_BIN] + list(args) + ["-c", cfg], tmp, name, env=env)
    limits = config.get("limits", {})
    proc.spares = min(limits.get("spare_processes", DEFAULT_SPARES),
                      limits.get("max_connections", 64))
    if not wait_connectable(host, port, timeout=10, proc=proc):
        return proc, None
    if settle is not None:
        wait_settled(proc.pid, proc.spares, timeout=settle)
    return proc, port


# ---------------------------------------------------------------- SkotOS

def skotos_request(name, chan, seq):
    """Exactly what SkotOS's avchat.c sends: the name pasted in unescaped."""
    return ('{ "cmd": "jwt_token", "displayName": "%s", "channel": "%s", '
            '"moderator": false, "validFor": 600, "seq": %d }'
            % (name, chan, seq)).encode("utf-8") + b"\0"


def skotos_parse(chunk):
    """Read a reply the way SkotOS does with sscanf: "seq":%d,
    "success":true, "token":"%s".  Returns (seq or None, success, token or
    None)."""
    text = chunk.decode("utf-8", "replace")
    m = re.search(r'"seq":(-?\d+)', text)
    seq = int(m.group(1)) if m else None
    success = '"success":true' in text
    m = re.search(r'"token":"([^"]*)"', text)
    token = m.group(1) if m else None
    return seq, success, token


def skip(t, reason):
    """Record a skipped test on caslib's TAP object: `ok N # SKIP reason`."""
    t.count += 1
    print("ok %d # SKIP %s" % (t.count, " ".join(str(reason).split())),
          flush=True)


class NotifySocket:
    """Stands in for systemd's notification socket ($NOTIFY_SOCKET): collects
    the sd_notify messages the program sends."""

    def __init__(self, tmpdir):
        self.path = os.path.join(tmpdir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.lines = []
        # Each message as a list of its lines, in the order they came.
        self.messages = []

    def env(self, base=None):
        env = dict(base if base is not None else child_env())
        env["NOTIFY_SOCKET"] = self.path
        return env

    def wait_for(self, line, timeout=5):
        """True once a message holding the line (e.g. "READY=1") came."""
        deadline = time.monotonic() + timeout
        while line not in self.lines:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if not self._receive(left):
                return False
        return True

    def _receive(self, timeout):
        """Wait up to timeout seconds for one message; False if none came."""
        self.sock.settimeout(timeout)
        try:
            msg = self.sock.recv(65536)
        except socket.timeout:
            return False
        lines = msg.decode("utf-8", "replace").splitlines()
        self.lines.extend(lines)
        self.messages.append(lines)
        return True

    def wait_message(self, pred, timeout=5, start=0):
        """The first message from messages[start] on for which pred(lines)
        holds, as its list of lines; None if none did within timeout
        seconds.  Pass start=len(notify.messages) to look only at messages
        sent from now on."""
        deadline = time.monotonic() + timeout
        i = start
        while True:
            while i < len(self.messages):
                if pred(self.messages[i]):
                    return self.messages[i]
                i += 1
            left = deadline - time.monotonic()
            if left <= 0 or not self._receive(left):
                return None

    def status(self, start=0):
        """The value of the last STATUS= from messages[start] on, or None."""
        found = None
        for msg in self.messages[start:]:
            for line in msg:
                if line.startswith("STATUS="):
                    found = line[len("STATUS="):]
        return found

    def close(self):
        self.sock.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
