#!/usr/bin/python3
"""Write a synthetic kubesim HDF5 trace, for exercising analysis/ without the C program.

Usage: make_fake_trace.py OUT.h5 [--seed N] [--incomplete]

The layout follows the kubesim trace schema exactly: root attributes, compound
datasets /pods /nodes /events /cluster_series /engine/event_types /engine/memory
(the last one deliberately empty), and attributes on /summary.  Strings are
variable-length UTF-8.  The data come from a tiny first-fit scheduler with
exponential retry backoff, so the tables agree with each other: pods only run
on nodes that exist, requested CPU never exceeds allocatable, FailedScheduling
events match the attempt counts, and the cluster series is sampled from the
pod table.
"""
import argparse
import heapq
import math

import h5py
import numpy as np

NAN = math.nan
STR = h5py.string_dtype("utf-8")
GiB = 1 << 30

DURATION = 600.0
SAMPLE = 5.0
SCALE_UP_AT = 95.0  # the "autoscaler" adds nodes here
SCALE_DOWN_AT = 450.0  # web is scaled down here

POD_DT = np.dtype([
    ("name", STR), ("namespace", STR), ("owner", STR), ("node", STR),
    ("priority", "<i4"), ("cpu_milli", "<i8"), ("mem_bytes", "<i8"),
    ("created", "<f8"), ("scheduled", "<f8"), ("pulled", "<f8"), ("started", "<f8"),
    ("ready", "<f8"), ("finished", "<f8"), ("deleted", "<f8"),
    ("attempts", "<u4"), ("restarts", "<u4"), ("phase", STR),
])
NODE_DT = np.dtype([
    ("name", STR), ("pool", STR), ("zone", STR), ("cpu_milli", "<i8"),
    ("mem_bytes", "<i8"), ("pods", "<i8"), ("created", "<f8"),
])
EVENT_DT = np.dtype([
    ("time", "<f8"), ("kind", STR), ("namespace", STR), ("name", STR), ("type", STR),
    ("reason", STR), ("message", STR), ("count", "<u4"), ("source", STR),
])
SERIES_DT = np.dtype([
    ("time", "<f8"), ("pods", "<i8"), ("pending", "<i8"), ("running", "<i8"), ("nodes", "<i8"),
    ("cpu_requested_milli", "<i8"), ("cpu_allocatable_milli", "<i8"),
    ("mem_requested_bytes", "<i8"), ("mem_allocatable_bytes", "<i8"),
    ("sched_active", "<i8"), ("sched_backoff", "<i8"), ("sched_unschedulable", "<i8"),
])
ETYPE_DT = np.dtype([("name", STR), ("count", "<i8")])
MEM_DT = np.dtype([("purpose", STR), ("peak_bytes", "<i8"), ("allocations", "<i8")])

CONFIG = """\
# synthetic trace written by tests/e2e/make_fake_trace.py
experiment: fake-quickstart
seed: {seed}
duration: 600s
sample_interval: 5s
nodes:
  - pool: general
    count: 6
    cpu: 4
    memory: 16Gi
  - pool: highmem
    count: 2
    cpu: 8
    memory: 64Gi
autoscaler: {{pool: general, add: 3, at: 95s}}
workloads:
  - deployment: default/web   {{replicas: 40, cpu: 250m, memory: 256Mi, scale_to: 25 at 450s}}
  - deployment: default/api   {{replicas: 16, cpu: 500m, memory: 512Mi}}
  - statefulset: data/redis   {{replicas: 3, cpu: 1, memory: 4Gi}}
  - job: batch/etl            {{completions: 30, cpu: 1, memory: 2Gi}}
  - job: batch/train          {{completions: 2, cpu: 16, memory: 32Gi}}
"""


def rand_suffix(rng, n):
    return "".join(rng.choice(list("bcdfghjklmnpqrstvwxz2456789"), n))


def make_nodes(rng):
    zones = ["zone-a", "zone-b", "zone-c"]
    nodes = []
    for i in range(6):
        nodes.append(dict(name=f"general-{i}", pool="general", zone=zones[i % 3],
                          cpu_milli=3920, mem_bytes=15 * GiB, pods=110, created=0.0))
    for i in range(2):
        nodes.append(dict(name=f"highmem-{i}", pool="highmem", zone=zones[i % 3],
                          cpu_milli=7910, mem_bytes=62 * GiB, pods=110, created=0.0))
    for i in range(3):
        nodes.append(dict(name=f"general-{6 + i}", pool="general", zone=zones[i % 3],
                          cpu_milli=3920, mem_bytes=15 * GiB, pods=110,
                          created=SCALE_UP_AT + 20.0 + rng.uniform(0, 15)))
    return nodes


def make_pods(rng):
    """Pod specs: (name, namespace, owner, priority, cpu, mem, created, kind)."""
    pods = []

    def rs(ns, dep, n, cpu, mem, t0, rate, prio=0):
        h = rand_suffix(rng, 10)
        for i in range(n):
            pods.append(dict(name=f"{dep}-{h}-{rand_suffix(rng, 5)}", namespace=ns,
                             owner=f"ReplicaSet/{dep}-{h}", priority=prio, cpu_milli=cpu,
                             mem_bytes=mem, created=t0 + i / rate + rng.uniform(0, 0.05),
                             kind="service"))

    rs("default", "web", 40, 250, 256 << 20, 1.0, 4.0)
    rs("default", "api", 16, 500, 512 << 20, 2.0, 2.0, prio=1000)
    for i in range(3):
        pods.append(dict(name=f"redis-{i}", namespace="data", owner="StatefulSet/redis",
                         priority=2000, cpu_milli=1000, mem_bytes=4 * GiB,
                         created=3.0 + 12.0 * i, kind="service"))
    for i in range(30):
        pods.append(dict(name=f"etl-{rand_suffix(rng, 5)}", namespace="batch", owner="Job/etl",
                         priority=0, cpu_milli=1000, mem_bytes=2 * GiB,
                         created=30.0 + i * 2.0 + rng.uniform(0, 1), kind="job"))
    for i in range(2):
        pods.append(dict(name=f"train-{rand_suffix(rng, 5)}", namespace="batch", owner="Job/train",
                         priority=0, cpu_milli=16000, mem_bytes=32 * GiB,
                         created=40.0 + i, kind="job"))
    return pods


def simulate(rng, nodes, pods):
    """First-fit scheduling with retries; fills in the pod lifecycle and event list."""
    events = []
    bound = {n["name"]: [] for n in nodes}  # node -> list of pod indices

    def ev(t, kind, ns, name, typ, reason, msg, source, count=1):
        events.append((t, kind, ns, name, typ, reason, msg, count, source))

    def end_time(p):
        ends = [x for x in (p["finished"], p["deleted"]) if not math.isnan(x)]
        return min(ends) if ends else math.inf

    def used(node, t):
        cpu = mem = cnt = 0
        for j in bound[node]:
            q = pods[j]
            if q["scheduled"] <= t < end_time(q):
                cpu += q["cpu_milli"]; mem += q["mem_bytes"]; cnt += 1
        return cpu, mem, cnt

    for p in pods:
        p.update(node="", scheduled=NAN, pulled=NAN, started=NAN, ready=NAN, finished=NAN,
                 deleted=NAN, attempts=0, restarts=0, phase="Pending", failures=[])

    queue = [(p["created"] + rng.uniform(0.005, 0.05), -p["priority"], i) for i, p in enumerate(pods)]
    heapq.heapify(queue)
    while queue:
        t, _, i = heapq.heappop(queue)
        if t > DURATION:
            continue
        p = pods[i]
        p["attempts"] += 1
        live = [n for n in nodes if n["created"] <= t]
        fit = None
        for n in sorted(live, key=lambda n: used(n["name"], t)[0] / n["cpu_milli"]):
            cpu, mem, cnt = used(n["name"], t)
            if cpu + p["cpu_milli"] <= n["cpu_milli"] and mem + p["mem_bytes"] <= n["mem_bytes"] \
                    and cnt < n["pods"]:
                fit = n
                break
        if fit is None:
            p["failures"].append(t)
            short = sum(1 for n in live if p["cpu_milli"] + used(n["name"], t)[0] > n["cpu_milli"])
            msg = (f"0/{len(live)} nodes are available: {short} Insufficient cpu. "
                   f"preemption: 0/{len(live)} nodes are available: "
                   f"{len(live)} No preemption victims found for incoming pod.")
            ev(t, "Pod", p["namespace"], p["name"], "Warning", "FailedScheduling", msg,
               "default-scheduler", count=len(p["failures"]))
            backoff = min(1.0 * 2 ** (len(p["failures"]) - 1), 60.0)
            heapq.heappush(queue, (t + backoff, -p["priority"], i))
            continue
        p["node"], p["scheduled"] = fit["name"], t
        bound[fit["name"]].append(i)
        ev(t, "Pod", p["namespace"], p["name"], "Normal", "Scheduled",
           f"Successfully assigned {p['namespace']}/{p['name']} to {fit['name']}", "default-scheduler")
        cached = any(pods[j]["owner"] == p["owner"] and pods[j]["pulled"] < t for j in bound[fit["name"]])
        pull = rng.uniform(0.05, 0.2) if cached else rng.lognormal(math.log(3.0), 0.6)
        p["pulled"] = t + pull
        ev(t + 0.01, "Pod", p["namespace"], p["name"], "Normal", "Pulling", "Pulling image", "kubelet")
        ev(p["pulled"], "Pod", p["namespace"], p["name"], "Normal", "Pulled",
           f"Successfully pulled image in {pull:.3f}s", "kubelet")
        p["started"] = p["pulled"] + rng.uniform(0.2, 1.0)
        ev(p["started"], "Pod", p["namespace"], p["name"], "Normal", "Started", "Started container", "kubelet")
        p["phase"] = "Running"
        if p["kind"] == "job":
            p["ready"] = p["started"]
            fin = p["started"] + rng.uniform(30.0, 200.0)
            if fin <= DURATION:
                p["finished"] = fin
                p["phase"] = "Failed" if rng.random() < 0.1 else "Succeeded"
                if p["phase"] == "Failed":
                    ev(fin, "Pod", p["namespace"], p["name"], "Warning", "BackOff",
                       "Back-off restarting failed container", "kubelet")
        else:
            ready = p["started"] + rng.uniform(1.0, 8.0)
            if rng.random() < 0.08:  # crash-looping a few times before becoming ready
                p["restarts"] = int(rng.integers(1, 4))
                ready += 10.0 * p["restarts"]
                ev(p["started"] + 5.0, "Pod", p["namespace"], p["name"], "Warning", "BackOff",
                   "Back-off restarting failed container", "kubelet", count=p["restarts"])
            p["ready"] = ready if ready <= DURATION else NAN

    # scale web down: delete the 15 newest web pods
    web = [i for i, p in enumerate(pods) if p["name"].startswith("web-")]
    for k, i in enumerate(sorted(web, key=lambda i: -pods[i]["created"])[:15]):
        t = SCALE_DOWN_AT + 0.02 * k
        p = pods[i]
        p["deleted"] = t
        if not math.isnan(p["started"]):
            p["finished"] = t + rng.uniform(0.5, 3.0)
            ev(t, "Pod", p["namespace"], p["name"], "Normal", "Killing", "Stopping container", "kubelet")
        p["phase"] = "Succeeded"
    return events


def workload_events(pods, nodes, events):
    owners = {}
    for p in pods:
        owners.setdefault(p["owner"], []).append(p)
    for owner, ps in owners.items():
        kind, name = owner.split("/", 1)
        ns = ps[0]["namespace"]
        t0 = min(p["created"] for p in ps)
        if kind == "ReplicaSet":
            dep = name.rsplit("-", 1)[0]
            events.append((t0 - 0.01, "Deployment", ns, dep, "Normal", "ScalingReplicaSet",
                           f"Scaled up replica set {name} to {len(ps)}", 1, "deployment-controller"))
            if dep == "web":
                events.append((SCALE_DOWN_AT - 0.01, "Deployment", ns, dep, "Normal", "ScalingReplicaSet",
                               f"Scaled down replica set {name} to {len(ps) - 15}", 1,
                               "deployment-controller"))
        src = {"ReplicaSet": "replicaset-controller", "StatefulSet": "statefulset-controller",
               "Job": "job-controller"}[kind]
        for p in ps:
            events.append((p["created"], kind, ns, name, "Normal", "SuccessfulCreate",
                           f"Created pod: {p['name']}", 1, src))
    for n in nodes:
        if n["created"] > 0:
            events.append((SCALE_UP_AT, "Node", "", n["name"], "Normal", "TriggeredScaleUp",
                           "pod triggered scale-up: [general 6->9 (max: 12)]", 1, "cluster-autoscaler"))
        events.append((n["created"] + 0.5, "Node", "", n["name"], "Normal", "NodeReady",
                       f"Node {n['name']} status is now: NodeReady", 1, "kubelet"))


def series(pods, nodes):
    rows = []
    for t in np.arange(0.0, DURATION + SAMPLE / 2, SAMPLE):
        def alive(p):
            return p["created"] <= t and not (p["deleted"] <= t)

        ex = [p for p in pods if alive(p)]
        pend = [p for p in ex if not (p["scheduled"] <= t)]
        run = [p for p in ex if p["started"] <= t and not (p["finished"] <= t)]
        bnd = [p for p in ex if p["scheduled"] <= t and not (p["finished"] <= t)]
        live = [n for n in nodes if n["created"] <= t]
        fails = [sum(1 for f in p["failures"] if f <= t) for p in pend]
        rows.append((t, len(ex), len(pend), len(run), len(live),
                     sum(p["cpu_milli"] for p in bnd), sum(n["cpu_milli"] for n in live),
                     sum(p["mem_bytes"] for p in bnd), sum(n["mem_bytes"] for n in live),
                     sum(1 for f in fails if f == 0), sum(1 for f in fails if 0 < f < 5),
                     sum(1 for f in fails if f >= 5)))
    return np.array(rows, dtype=SERIES_DT)


def table(dicts, dt):
    return np.array([tuple(d[k] for k in dt.names) for d in dicts], dtype=dt)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--incomplete", action="store_true", help="mark the trace complete=0")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)

    nodes = make_nodes(rng)
    pods = make_pods(rng)
    events = simulate(rng, nodes, pods)
    workload_events(pods, nodes, events)
    events.sort(key=lambda e: e[0])
    cs = series(pods, nodes)

    startup = np.array([p["started"] - p["created"] for p in pods if not math.isnan(p["started"])])
    q = np.quantile(startup, [0.5, 0.9, 0.99]) if len(startup) else [NAN] * 3
    n_events = len(events) + len(pods) * 3  # plus engine-internal events
    etypes = [("pod_create", len(pods)), ("schedule_cycle", sum(p["attempts"] for p in pods)),
              ("bind", sum(1 for p in pods if p["node"])), ("image_pull_done", len(pods)),
              ("container_start", len(pods)), ("node_add", len(nodes)),
              ("sample", len(cs)), ("noop", 0)]

    with h5py.File(args.out, "w") as f:
        a = f.attrs
        a["schema_version"] = 1
        a.create("kubesim_version", "0.1.0-fake", dtype=STR)
        a["seed"] = args.seed
        a["complete"] = 0 if args.incomplete else 1
        a.create("config", CONFIG.format(seed=args.seed), dtype=STR)
        a.create("experiment", "fake-quickstart", dtype=STR)
        a["duration_s"] = DURATION
        a["sample_interval_s"] = SAMPLE

        f.create_dataset("pods", data=table(pods, POD_DT))
        f.create_dataset("nodes", data=table(nodes, NODE_DT))
        f.create_dataset("events", data=np.array(events, dtype=EVENT_DT))
        f.create_dataset("cluster_series", data=cs)
        eng = f.create_group("engine")
        eng.create_dataset("event_types", data=np.array(etypes, dtype=ETYPE_DT))
        eng.create_dataset("memory", shape=(0,), dtype=MEM_DT)

        s = f.create_group("summary").attrs
        s["pods_created"] = len(pods)
        s["pods_scheduled"] = sum(1 for p in pods if p["node"])
        s["pods_running"] = sum(1 for p in pods if p["phase"] == "Running" and math.isnan(p["deleted"]))
        s["pods_pending"] = sum(1 for p in pods if p["phase"] == "Pending")
        s["startup_p50_s"], s["startup_p90_s"], s["startup_p99_s"] = (float(x) for x in q)
        s["sched_attempts"] = sum(p["attempts"] for p in pods)
        s["events"] = n_events
        s["events_per_s"] = n_events / 0.0731
        s["peak_rss_bytes"] = 23 << 20


if __name__ == "__main__":
    main()
