#!/usr/bin/python3
"""Write a synthetic kubesim HDF5 trace, for exercising analysis/ without the C program.

Usage: make_fake_trace.py OUT.h5 [--seed N] [--incomplete] [--none-ran]

The layout follows the kubesim trace schema (docs/TRACE_FORMAT.md) exactly: root attributes,
chunked shuffle+gzip compound datasets /pods /nodes /events /cluster_series /apiserver/requests
/engine/event_types /engine/memory (the last one deliberately empty), and attributes on /summary.
Names and messages are variable-length UTF-8 strings; the short categorical columns are the same
fixed-size NUL-padded types that kubesim writes.

The data come from a tiny model, so the tables agree with each other: a first-fit scheduler with
exponential retry backoff, bindings and status writes that go through an API server with a
lognormal commit latency, kubelets that pull images one at a time per node (serialized pulls,
with a per-node image cache), create and start containers in order, and report Running at the
next 1 s PLEG relist.  Pods only run on nodes that exist, requested CPU never exceeds
allocatable, every pod's steps are in order (created <= scheduled <= bound <= kubelet_seen <=
pull_started <= pulled <= started <= running <= ready), FailedScheduling events match the
attempt counts, /apiserver/requests and the api_* series count the same requests, and
/summary's startup SLI is computed as kubesim does (running - created - time in each pull).
Service pods become Ready a few seconds after Running (as with a readiness probe), and the
"api" pods pull two images, so the analysis sees every phase.

--none-ran makes every node too small for any pod: all pods stay Pending, and every startup
time is NaN.
"""
import argparse
import heapq
import math

import h5py
import numpy as np

NAN = math.nan
STR = h5py.string_dtype("utf-8")
GiB = 1 << 30
MiB = 1 << 20

DURATION = 600.0
SAMPLE = 5.0
SCALE_UP_AT = 95.0  # the "autoscaler" adds nodes here
SCALE_DOWN_AT = 450.0  # web is scaled down here
PLEG_PERIOD = 1.0  # kubelet generic PLEG relist period (s)
PULL_BANDWIDTH = 80 * MiB  # bytes/s for a cold pull

POD_DT = np.dtype([
    ("name", STR), ("namespace", "S64"), ("owner", STR), ("node", STR),
    ("priority", "<i4"), ("cpu_milli", "<i8"), ("mem_bytes", "<i8"),
    ("created", "<f8"), ("scheduled", "<f8"), ("bound", "<f8"), ("kubelet_seen", "<f8"),
    ("pull_started", "<f8"), ("pulled", "<f8"), ("started", "<f8"), ("running", "<f8"),
    ("ready", "<f8"), ("finished", "<f8"), ("deleted", "<f8"),
    ("attempts", "<u4"), ("restarts", "<u4"), ("phase", "S16"),
])
NODE_DT = np.dtype([
    ("name", STR), ("pool", STR), ("zone", "S64"), ("cpu_milli", "<i8"),
    ("mem_bytes", "<i8"), ("pods", "<i8"), ("cpu_requested_milli", "<i8"),
    ("mem_requested_bytes", "<i8"), ("pods_assigned", "<i8"), ("created", "<f8"),
])
EVENT_DT = np.dtype([
    ("time", "<f8"), ("kind", "S32"), ("namespace", "S64"), ("name", STR), ("type", "S8"),
    ("reason", "S64"), ("message", STR), ("count", "<u4"), ("source", "S64"),
])
SERIES_DT = np.dtype([
    ("time", "<f8"), ("pods", "<i8"), ("pending", "<i8"), ("running", "<i8"), ("nodes", "<i8"),
    ("cpu_requested_milli", "<i8"), ("cpu_allocatable_milli", "<i8"),
    ("mem_requested_bytes", "<i8"), ("mem_allocatable_bytes", "<i8"),
    ("sched_active", "<i8"), ("sched_backoff", "<i8"), ("sched_unschedulable", "<i8"),
    ("api_inflight", "<i8"), ("api_waiting", "<i8"), ("api_requests", "<i8"), ("etcd_writes", "<i8"),
])
API_DT = np.dtype([
    ("component", "S32"), ("verb", "S8"), ("count", "<i8"), ("completed", "<i8"),
    ("p50_s", "<f8"), ("p99_s", "<f8"),
])
ETYPE_DT = np.dtype([("name", STR), ("count", "<i8")])
MEM_DT = np.dtype([("purpose", STR), ("peak_bytes", "<i8"), ("allocations", "<i8")])
CHUNKS = {"pods": 4096, "nodes": 1024, "events": 4096, "cluster_series": 1024,
          "apiserver/requests": 64, "engine/event_types": 256, "engine/memory": 64}

#: image -> size in bytes
IMAGES = {"nginx:1.25": 70 * MiB, "registry.example.com/shop/api:2.3": 300 * MiB,
          "envoyproxy/envoy:v1.30.1": 60 * MiB, "redis:7.2": 40 * MiB,
          "registry.example.com/batch/etl:1.4": 500 * MiB, "ghcr.io/example/trainer:0.9": 2 * GiB}

CONFIG = """\
# synthetic trace written by tests/e2e/make_fake_trace.py
experiment: fake-quickstart
seed: {seed}
duration: 600s
sample_interval: 5s
nodes:
  - pool: general
    count: 6
    cpu: {general_cpu}
    memory: 16Gi
  - pool: highmem
    count: 2
    cpu: {highmem_cpu}
    memory: 64Gi
autoscaler: {{pool: general, add: 3, at: 95s}}
workloads:
  - deployment: default/web   {{replicas: 40, cpu: 250m, memory: 256Mi, scale_to: 25 at 450s, image: nginx:1.25}}
  - deployment: default/api   {{replicas: 16, cpu: 500m, memory: 512Mi, images: [shop/api:2.3, envoy:v1.30.1]}}
  - statefulset: data/redis   {{replicas: 3, cpu: 1, memory: 4Gi}}
  - job: batch/etl            {{completions: 30, cpu: 1, memory: 2Gi}}
  - job: batch/train          {{completions: 2, cpu: 16, memory: 32Gi}}
"""


def rand_suffix(rng, n):
    return "".join(rng.choice(list("bcdfghjklmnpqrstvwxz2456789"), n))


def make_nodes(rng, none_ran=False):
    zones = ["zone-a", "zone-b", "zone-c"]
    general, highmem = (100, 100) if none_ran else (3920, 7910)
    nodes = []
    for i in range(6):
        nodes.append(dict(name=f"general-{i}", pool="general", zone=zones[i % 3],
                          cpu_milli=general, mem_bytes=15 * GiB, pods=110, created=0.0))
    for i in range(2):
        nodes.append(dict(name=f"highmem-{i}", pool="highmem", zone=zones[i % 3],
                          cpu_milli=highmem, mem_bytes=62 * GiB, pods=110, created=0.0))
    for i in range(3):
        nodes.append(dict(name=f"general-{6 + i}", pool="general", zone=zones[i % 3],
                          cpu_milli=general, mem_bytes=15 * GiB, pods=110,
                          created=SCALE_UP_AT + 20.0 + rng.uniform(0, 15)))
    for n in nodes:
        n["pleg_phase"] = rng.uniform(0, PLEG_PERIOD)
    return nodes


def make_pods(rng):
    """Pod specs: name, namespace, owner, priority, cpu, mem, created, kind, images."""
    pods = []

    def rs(ns, dep, n, cpu, mem, t0, rate, images, prio=0):
        h = rand_suffix(rng, 10)
        for i in range(n):
            pods.append(dict(name=f"{dep}-{h}-{rand_suffix(rng, 5)}", namespace=ns,
                             owner=f"ReplicaSet/{dep}-{h}", priority=prio, cpu_milli=cpu,
                             mem_bytes=mem, created=t0 + i / rate + rng.uniform(0, 0.05),
                             kind="service", images=images))

    rs("default", "web", 40, 250, 256 << 20, 1.0, 4.0, ["nginx:1.25"])
    rs("default", "api", 16, 500, 512 << 20, 2.0, 2.0,
       ["registry.example.com/shop/api:2.3", "envoyproxy/envoy:v1.30.1"], prio=1000)
    for i in range(3):
        pods.append(dict(name=f"redis-{i}", namespace="data", owner="StatefulSet/redis",
                         priority=2000, cpu_milli=1000, mem_bytes=4 * GiB,
                         created=3.0 + 12.0 * i, kind="service", images=["redis:7.2"]))
    for i in range(30):
        pods.append(dict(name=f"etl-{rand_suffix(rng, 5)}", namespace="batch", owner="Job/etl",
                         priority=0, cpu_milli=1000, mem_bytes=2 * GiB,
                         created=30.0 + i * 2.0 + rng.uniform(0, 1), kind="job",
                         images=["registry.example.com/batch/etl:1.4"]))
    for i in range(2):
        pods.append(dict(name=f"train-{rand_suffix(rng, 5)}", namespace="batch", owner="Job/train",
                         priority=0, cpu_milli=16000, mem_bytes=32 * GiB,
                         created=40.0 + i, kind="job", images=["ghcr.io/example/trainer:0.9"]))
    return pods


def go_duration(s):
    """Seconds printed like Go's time.Duration, truncated to milliseconds."""
    ms = int(s * 1000)
    if ms < 1000:
        return f"{ms}ms"
    if ms < 60000:
        return f"{ms / 1000:g}s"
    return f"{ms // 60000}m{(ms % 60000) / 1000:g}s"


class Api:
    """The API server: requests with a lognormal server-side latency (no in-flight limit)."""

    def __init__(self, rng):
        self.rng = rng
        self.requests = []  # (component, verb, issued, committed)

    def call(self, component, verb, issued):
        committed = issued + self.rng.lognormal(math.log(0.005), 0.6)
        self.requests.append((component, verb, issued, committed))
        return committed


def simulate(rng, nodes, pods, api):
    """First-fit scheduling with retries, then the kubelet; fills in the pod lifecycle and events."""
    events = []
    bound = {n["name"]: [] for n in nodes}  # node -> list of pod indices
    by_name = {n["name"]: n for n in nodes}
    cache = {n["name"]: {} for n in nodes}  # node -> image -> time it is present from
    pull_free = {n["name"]: 0.0 for n in nodes}  # node -> when its (serialized) puller is free

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
        p.update(node="", scheduled=NAN, bound=NAN, kubelet_seen=NAN, pull_started=NAN, pulled=NAN,
                 started=NAN, running=NAN, ready=NAN, finished=NAN, deleted=NAN, pull_total=0.0,
                 attempts=0, restarts=0, phase="Pending", failures=[])
        src = {"ReplicaSet": "replicaset-controller", "StatefulSet": "statefulset-controller",
               "Job": "job-controller"}[p["owner"].split("/", 1)[0]]
        # created is when the create committed: the controller asked a little earlier
        p["created"] = api.call(src, "create", p["created"])

    def kubelet(p, node):
        """The kubelet runs the pod: containers in order, pulls serialized per node."""
        ns, name = p["namespace"], p["name"]
        now = p["kubelet_seen"]
        for k, image in enumerate(p["images"]):
            if cache[node].get(image, math.inf) <= now:
                ev(now, "Pod", ns, name, "Normal", "Pulled",
                   f'Container image "{image}" already present on machine', "kubelet")
            else:
                ev(now, "Pod", ns, name, "Normal", "Pulling", f'Pulling image "{image}"', "kubelet")
                if math.isnan(p["pull_started"]):
                    p["pull_started"] = now
                begin = max(now, pull_free[node])
                took = rng.uniform(0.3, 0.8)  # registry round trips
                if cache[node].get(image, math.inf) > begin:  # cold: transfer the layers
                    took += IMAGES[image] / (PULL_BANDWIDTH * rng.uniform(0.6, 1.2))
                done = begin + took
                pull_free[node] = done
                cache[node][image] = min(cache[node].get(image, math.inf), done)
                p["pulled"] = done
                p["pull_total"] += done - now
                ev(done, "Pod", ns, name, "Normal", "Pulled",
                   f'Successfully pulled image "{image}" in {go_duration(took)} '
                   f"({go_duration(done - now)} including waiting). Image size: {IMAGES[image]} bytes.",
                   "kubelet")
                now = done
            cname = image.rsplit("/", 1)[-1].split(":")[0] if k == 0 else "sidecar"
            now += rng.uniform(0.03, 0.25)  # containerd CreateContainer
            ev(now, "Pod", ns, name, "Normal", "Created", f"Created container {cname}", "kubelet")
            now += rng.uniform(0.03, 0.2)  # StartContainer
            ev(now, "Pod", ns, name, "Normal", "Started", f"Started container {cname}", "kubelet")
        p["started"] = now
        phase = by_name[node]["pleg_phase"]
        relist = phase + (math.floor((now - phase) / PLEG_PERIOD) + 1) * PLEG_PERIOD
        p["running"] = api.call("kubelet", "patch", relist)

    # scale web down at SCALE_DOWN_AT: the 15 newest web pods are deleted
    web = [i for i, p in enumerate(pods) if p["name"].startswith("web-")]
    doomed = sorted(web, key=lambda i: -pods[i]["created"])[:15]
    for k, i in enumerate(doomed):
        pods[i]["delete_at"] = api.call("replicaset-controller", "delete", SCALE_DOWN_AT + 0.02 * k)

    queue = [(p["created"] + rng.uniform(0.0005, 0.005), -p["priority"], i) for i, p in enumerate(pods)]
    heapq.heapify(queue)
    while queue:
        t, _, i = heapq.heappop(queue)
        if t > DURATION or t >= pods[i].get("delete_at", math.inf):
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
        node = fit["name"]
        p["node"], p["scheduled"] = node, t
        bound[node].append(i)
        ev(t, "Pod", p["namespace"], p["name"], "Normal", "Scheduled",
           f"Successfully assigned {p['namespace']}/{p['name']} to {node}", "default-scheduler")
        p["bound"] = api.call("scheduler", "create", t)  # POST pods/<name>/binding
        p["kubelet_seen"] = p["bound"] + rng.uniform(0.0001, 0.005)  # watch delivery
        kubelet(p, node)
        p["phase"] = "Running"
        if p["kind"] == "job":
            p["ready"] = p["running"]
            fin = p["started"] + rng.uniform(30.0, 200.0)
            if fin <= DURATION:
                p["finished"] = fin
                p["phase"] = "Failed" if rng.random() < 0.1 else "Succeeded"
                api.call("kubelet", "patch", fin)
                if p["phase"] == "Failed":
                    ev(fin, "Pod", p["namespace"], p["name"], "Warning", "BackOff",
                       "Back-off restarting failed container", "kubelet")
        else:
            ready = p["running"] + rng.uniform(0.5, 5.0)  # as if a readiness probe passed
            if rng.random() < 0.08:  # crash-looping a few times before becoming ready
                p["restarts"] = int(rng.integers(1, 4))
                ready += 10.0 * p["restarts"]
                ev(p["started"] + 5.0, "Pod", p["namespace"], p["name"], "Warning", "BackOff",
                   "Back-off restarting failed container", "kubelet", count=p["restarts"])
            p["ready"] = api.call("kubelet", "patch", ready)

    # the scale-down: graceful deletion (containers stop, then the object goes)
    for i in doomed:
        p = pods[i]
        t = p["delete_at"]
        if not p["started"] <= t:  # never started: removed at once, its later steps never happen
            p["deleted"] = t
            for c in ("scheduled", "bound", "kubelet_seen", "pull_started", "pulled", "started",
                      "running", "ready"):
                if p[c] > t:
                    p[c] = NAN
            if math.isnan(p["pulled"]):
                p["pull_started"] = NAN
            events[:] = [e for e in events if not (e[3] == p["name"] and e[0] > t)]
            p["phase"] = "Pending"
        else:
            p["finished"] = t + rng.uniform(0.5, 3.0)
            ev(t, "Pod", p["namespace"], p["name"], "Normal", "Killing", "Stopping container nginx", "kubelet")
            p["deleted"] = api.call("kubelet", "delete", p["finished"])
            p["phase"] = "Succeeded"
    return events


def finish(pods):
    """Steps after the horizon never happened in the run: NaN, and the phase as at the end."""
    steps = ["scheduled", "bound", "kubelet_seen", "pull_started", "pulled", "started", "running", "ready"]
    for p in pods:
        gone = False
        for c in steps:
            if c in ("pull_started", "pulled") and math.isnan(p[c]):
                continue  # nothing pulled: not a missing step
            if gone or p[c] > DURATION:
                gone = True
                p[c] = NAN
        if gone and p["phase"] == "Running":
            p["phase"] = "Pending"
        for c in ("finished", "deleted"):
            if p[c] > DURATION:
                p[c] = NAN
        if math.isnan(p["bound"]):
            p["node"] = ""


def workload_events(pods, nodes, events, api):
    owners = {}
    for p in pods:
        owners.setdefault(p["owner"], []).append(p)
    for owner, ps in owners.items():
        kind, name = owner.split("/", 1)
        ns = ps[0]["namespace"]
        t0 = min(p["created"] for p in ps)
        if kind == "ReplicaSet":
            dep = name.rsplit("-", 1)[0]
            api.call("deployment-controller", "create", t0 - 0.02)
            events.append((t0 - 0.01, "Deployment", ns, dep, "Normal", "ScalingReplicaSet",
                           f"Scaled up replica set {name} to {len(ps)}", 1, "deployment-controller"))
            if dep == "web":
                api.call("deployment-controller", "update", SCALE_DOWN_AT - 0.01)
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


def before(x, t):
    return not math.isnan(x) and x <= t


def series(pods, nodes, api):
    rows = []
    issued = np.array([r[2] for r in api.requests])
    committed = np.array([r[3] for r in api.requests])
    for t in np.arange(0.0, DURATION + SAMPLE / 2, SAMPLE):
        ex = [p for p in pods if p["created"] <= t and not before(p["deleted"], t)]
        active = [p for p in ex if not before(p["finished"], t)]
        run = [p for p in active if before(p["running"], t)]
        pend = [p for p in active if not before(p["running"], t)]
        unsched = [p for p in ex if not before(p["scheduled"], t)]
        assigned = [p for p in active if before(p["bound"], t)]
        live = [n for n in nodes if n["created"] <= t]
        fails = [sum(1 for f in p["failures"] if f <= t) for p in unsched]
        rows.append((t, len(ex), len(pend), len(run), len(live),
                     sum(p["cpu_milli"] for p in assigned), sum(n["cpu_milli"] for n in live),
                     sum(p["mem_bytes"] for p in assigned), sum(n["mem_bytes"] for n in live),
                     sum(1 for f in fails if f == 0), sum(1 for f in fails if 0 < f < 5),
                     sum(1 for f in fails if f >= 5),
                     int(np.sum((issued <= t) & (committed > t))), 0,
                     int(np.sum(issued <= t)), int(np.sum(committed <= t))))
    return np.array(rows, dtype=SERIES_DT)


def api_table(api):
    groups = {}
    for comp, verb, issued, committed in api.requests:
        if issued <= DURATION:
            groups.setdefault((comp, verb), []).append(committed - issued if committed <= DURATION else NAN)
    rows = []
    for (comp, verb), lat in groups.items():
        done = np.array([x for x in lat if not math.isnan(x)])
        q = np.quantile(done, [0.5, 0.99]) if len(done) else [NAN, NAN]
        rows.append((comp.encode(), verb.encode(), len(lat), len(done), q[0], q[1]))
    return np.array(rows, dtype=API_DT)


def table(dicts, dt):
    def enc(v, t):
        return v.encode() if t.kind == "S" else v
    return np.array([tuple(enc(d[k], dt.fields[k][0]) for k in dt.names) for d in dicts], dtype=dt)


def put(group, name, path, data):
    group.create_dataset(name, data=data, maxshape=(None,), chunks=(CHUNKS[path],),
                         shuffle=True, compression="gzip", compression_opts=4)


def quantiles(x):
    x = np.asarray(x, dtype=float)
    return [float(v) for v in np.quantile(x, [0.5, 0.9, 0.99])] if len(x) else [NAN] * 3


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--incomplete", action="store_true", help="mark the trace complete=0")
    ap.add_argument("--none-ran", action="store_true",
                    help="nodes too small for any pod: every pod stays Pending")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    api = Api(rng)

    nodes = make_nodes(rng, args.none_ran)
    pods = make_pods(rng)
    events = simulate(rng, nodes, pods, api)
    workload_events(pods, nodes, events, api)
    finish(pods)
    events = sorted((e for e in events if e[0] <= DURATION), key=lambda e: e[0])
    events = [(t, k.encode(), ns.encode(), n, ty.encode(), r.encode(), m, c, s.encode())
              for t, k, ns, n, ty, r, m, c, s in events]
    cs = series(pods, nodes, api)
    for n in nodes:
        here = [p for p in pods if p["node"] == n["name"] and math.isnan(p["deleted"])
                and math.isnan(p["finished"])]
        n["cpu_requested_milli"] = sum(p["cpu_milli"] for p in here)
        n["mem_requested_bytes"] = sum(p["mem_bytes"] for p in here)
        n["pods_assigned"] = len(here)

    ran = [p for p in pods if not math.isnan(p["running"])]
    sli = quantiles([p["running"] - p["created"] - p["pull_total"] for p in ran])
    ready = quantiles([p["ready"] - p["created"] for p in pods if not math.isnan(p["ready"])])
    done_lat = [c - i for _, _, i, c in api.requests if i <= DURATION and c <= DURATION]
    api_q = np.quantile(done_lat, [0.5, 0.99]) if done_lat else [NAN, NAN]
    n_events = len(events) + len(pods) * 3  # plus engine-internal events
    etypes = [("pod_create", len(pods)), ("schedule_cycle", sum(p["attempts"] for p in pods)),
              ("bind", sum(1 for p in pods if p["node"])),
              ("image_pull_done", sum(1 for e in events if e[5] == b"Pulling")),
              ("container_start", sum(1 for e in events if e[5] == b"Started")),
              ("node_add", len(nodes)), ("sample", len(cs)), ("noop", 0)]

    with h5py.File(args.out, "w") as f:
        a = f.attrs
        a["schema_version"] = 1
        a.create("kubesim_version", "0.1.0-fake", dtype=STR)
        a["seed"] = args.seed
        a["complete"] = 0 if args.incomplete else 1
        cpu = ("100m", "100m") if args.none_ran else ("4", "8")
        a.create("config", CONFIG.format(seed=args.seed, general_cpu=cpu[0], highmem_cpu=cpu[1]), dtype=STR)
        a.create("experiment", "fake-quickstart", dtype=STR)
        a["duration_s"] = DURATION
        a["simulated_s"] = DURATION
        a["sample_interval_s"] = SAMPLE

        put(f, "pods", "pods", table(pods, POD_DT))
        put(f, "nodes", "nodes", table(nodes, NODE_DT))
        put(f, "events", "events", np.array(events, dtype=EVENT_DT))
        put(f, "cluster_series", "cluster_series", cs)
        put(f.create_group("apiserver"), "requests", "apiserver/requests", api_table(api))
        eng = f.create_group("engine")
        put(eng, "event_types", "engine/event_types", np.array(etypes, dtype=ETYPE_DT))
        put(eng, "memory", "engine/memory", np.zeros(0, dtype=MEM_DT))

        s = f.create_group("summary").attrs
        s["pods_created"] = len(pods)
        s["pods_scheduled"] = sum(1 for p in pods if not math.isnan(p["bound"]))
        s["pods_running"] = sum(1 for p in pods if p["phase"] == "Running" and math.isnan(p["deleted"]))
        s["pods_pending"] = sum(1 for p in pods if p["phase"] == "Pending" and math.isnan(p["deleted"]))
        s["sched_attempts"] = sum(p["attempts"] for p in pods)
        s["sched_unschedulable"] = sum(sum(1 for x in p["failures"] if x <= DURATION) for p in pods)
        s["k8s_events"] = len(events)
        s["events"] = n_events
        s["api_requests"] = sum(1 for r in api.requests if r[2] <= DURATION)
        s["etcd_writes"] = len(done_lat)
        s["api_latency_p50_s"], s["api_latency_p99_s"] = (float(x) for x in api_q)
        s["startup_p50_s"], s["startup_p90_s"], s["startup_p99_s"] = sli
        s["startup_slo_met"] = int(bool(ran) and sli[2] <= 5.0)
        s["ready_p50_s"], s["ready_p90_s"], s["ready_p99_s"] = ready
        s["wall_s"] = 0.0731
        s["events_per_s"] = n_events / 0.0731
        s["peak_rss_bytes"] = 23 << 20


if __name__ == "__main__":
    main()
