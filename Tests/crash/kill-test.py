#!/usr/bin/env python3
"""Kills write-heavy servreg runs with SIGKILL at random moments, then checks the store:
every id a run printed is stored (printed => committed), an atomic batch is all or
nothing, the event log has no gap, and SQLite's integrity check passes.

Usage: kill-test.py SERVREG [--kills N] [--seed S]. Exits 1 on the first violation."""
import argparse, os, random, signal, sqlite3, subprocess, sys, tempfile, time

parser = argparse.ArgumentParser()
parser.add_argument("servreg")
parser.add_argument("--kills", type=int, default=40)
parser.add_argument("--seed", type=int, default=2026)
args = parser.parse_args()
rng = random.Random(args.seed)

work = tempfile.mkdtemp(prefix="servreg-kill-")
store = os.path.join(work, "registry.db")
batch = os.path.join(work, "batch.srv")
with open(batch, "w") as f:
    for n in range(20000):
        f.write(f"register acme.IWorker --prop n={n} --prop pad=xxxxxxxxxxxxxxxxxxxxxxxx\n")
env = dict(os.environ, SERVREG_STORE=store)
env.pop("XDG_DATA_HOME", None)

def fail(message):
    print(f"kill-test: FAIL: {message} (seed {args.seed}, store kept in {work})", file=sys.stderr)
    sys.exit(1)

def stored_ids():
    out = subprocess.run([args.servreg, "get-all", "-q"], env=env, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        fail(f"get-all exited {out.returncode}: {out.stderr.strip()}")
    return {int(line) for line in out.stdout.split()}

def check_store():
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            fail("integrity_check is not ok")
        seqs = [row[0] for row in db.execute("SELECT seq FROM event ORDER BY seq")]
        if seqs and seqs != list(range(seqs[0], seqs[0] + len(seqs))):
            fail("the event log has a gap")
    finally:
        db.close()

acknowledged = 0
for kill in range(args.kills):
    atomic = kill % 4 == 3
    before = stored_ids() if os.path.exists(store) else set()
    command = [args.servreg, "run"] + (["--atomic"] if atomic else []) + [batch]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.2, 3.0))
    process.send_signal(signal.SIGKILL)
    printed_text, _ = process.communicate()
    printed = {int(line) for line in printed_text.split()}
    after = stored_ids()
    if not printed <= after:
        fail(f"kill {kill}: {len(printed - after)} printed ids are not stored")
    new = after - before
    if atomic and new and len(new) != 20000:
        fail(f"kill {kill}: an atomic batch left {len(new)} of 20000 services")
    acknowledged += len(printed)
    check_store()
print(f"kill-test: {args.kills} kills, {acknowledged} acknowledged writes checked, none lost; integrity ok")
