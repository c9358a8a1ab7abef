#!/usr/bin/python3
"""Load kubesim HDF5 traces into pandas.

    import kubesim
    t = kubesim.load("quickstart.h5")
    t.pods, t.nodes, t.events, t.cluster_series      # pandas DataFrames
    t.apiserver_requests                             # pandas DataFrame (/apiserver/requests)
    t.deployments                                    # pandas DataFrame (/deployments)
    t.jobs                                           # pandas DataFrame (/jobs)
    t.workloads                                      # pandas DataFrame (/workloads)
    t.services, t.endpointslices, t.kube_proxy       # pandas DataFrames (Services)
    t.network_series                                 # network programming latency per interval
    t.engine_event_types, t.engine_memory            # pandas DataFrames
    t.attrs, t.summary, t.complete                   # dict, dict, bool
    kubesim.startup_latency(t)                       # Series, seconds (started - created)
    kubesim.startup_breakdown(t)                     # DataFrame, seconds per startup phase

    c = kubesim.load_compare("compare.h5")           # a `kubesim compare` file
    c.runs                                           # /compare: one row per (profile, seed)
    c.summary()                                      # median and 95% interval per profile, metric
    c.trace("most-allocated", 42)                    # one run, as a Trace

Times are float64 seconds of simulated time; NaN means the step never happened.
Strings are decoded to ``str``.  A dataset missing from the file loads as an
empty DataFrame with the documented columns, and a documented column missing
from a table (an older trace) is filled with NaN, so analysis code can rely on
the column names.  Run ``python3 kubesim.py TRACE.h5`` for a short summary.
"""
from __future__ import annotations

import sys
import warnings
from dataclasses import dataclass, field

import h5py
import numpy as np
import pandas as pd

#: Columns of each table in the trace, by dataset path (schema version 1), as documented in
#: docs/TRACE_FORMAT.md.  A table missing from the file loads as an empty DataFrame with these
#: columns; a documented column missing from a table (a trace written by an older kubesim) is
#: added, filled with NaN (see ``Trace.missing``).
COLUMNS = {
    "pods": ["name", "namespace", "owner", "node", "priority", "cpu_milli", "mem_bytes",
             "created", "scheduled", "bound", "kubelet_seen", "pull_started", "pulled",
             "started", "running", "ready", "finished", "deletion_requested", "deleted",
             "attempts", "restarts", "phase"],
    "nodes": ["name", "pool", "zone", "cpu_milli", "mem_bytes", "pods",
              "cpu_requested_milli", "mem_requested_bytes", "pods_assigned", "created",
              "gpus", "gpu_used_milli", "gpu_frag_milli"],
    "events": ["time", "kind", "namespace", "name", "type", "reason", "message", "count", "source"],
    "cluster_series": ["time", "pods", "pending", "running", "nodes",
                       "cpu_requested_milli", "cpu_allocatable_milli",
                       "mem_requested_bytes", "mem_allocatable_bytes",
                       "sched_active", "sched_backoff", "sched_unschedulable",
                       "api_inflight", "api_waiting", "api_requests", "etcd_writes",
                       "replicasets", "deployments", "pods_ready", "nodes_not_ready",
                       "nodes_noexecute", "pods_evicted"],
    "apiserver/requests": ["component", "verb", "count", "completed", "p50_s", "p99_s"],
    "deployments": ["name", "namespace", "strategy", "replicas", "replicaset", "replicasets",
                    "rollout_started", "rollout_completed", "progress_deadline_exceeded",
                    "ready", "min_ready", "back_at"],
    "node_failures": ["node", "zone", "mode", "failed", "not_ready", "tainted", "recovered", "evicted"],
    "jobs": ["name", "namespace", "completion_mode", "completions", "parallelism", "backoff_limit",
             "succeeded", "failed", "active", "pods", "start_time", "completion_time", "finished",
             "deleted", "condition", "reason"],
    "workloads": ["name", "namespace", "arrivals_kind", "arrivals", "pods", "jobs", "deployments",
                  "deleted", "first_arrival", "last_arrival"],
    "engine/event_types": ["name", "count"],
    "engine/memory": ["purpose", "peak_bytes", "allocations"],
    "services": ["name", "namespace", "headless", "endpoints", "ready", "slices",
                 "slice_creates", "slice_updates", "slice_deletes"],
    "endpointslices": ["name", "namespace", "service", "endpoints", "ready", "serving", "terminating"],
    "kube_proxy": ["node", "syncs", "full_syncs", "changes_programmed", "last_programmed"],
    "network_series": ["time", "services", "endpoints", "ready_endpoints", "slices", "slice_writes",
                       "ready_changes", "proxy_syncs", "proxy_full_syncs", "programmed_pairs",
                       "latency_p50_s", "latency_p99_s"],
}

#: The metrics of a ``kubesim compare`` file's ``/compare`` table, in its column order, with a
#: label and a kind ("count", "share" in 0..1, or "seconds"), as docs/TRACE_FORMAT.md defines them.
COMPARE_METRICS = {
    "pods_scheduled": ("pods scheduled", "count"),
    "pods_pending": ("pods pending", "count"),
    "pods_unschedulable": ("pods unschedulable", "count"),
    "nodes_used": ("nodes used", "count"),
    "cpu_util_mean": ("cpu requested/allocatable, mean over nodes used", "share"),
    "cpu_util_p99": ("cpu requested/allocatable, p99 over nodes used", "share"),
    "mem_util_mean": ("memory requested/allocatable, mean over nodes used", "share"),
    "mem_util_p99": ("memory requested/allocatable, p99 over nodes used", "share"),
    "cpu_fragmentation": ("free cpu fragmented", "share"),
    "sched_latency_p99_s": ("scheduling latency p99 (created -> scheduled)", "seconds"),
    "startup_p99_s": ("pod startup p99 (SLI)", "seconds"),
}
COLUMNS["compare"] = ["profile", "seed", "complete", *COMPARE_METRICS]

#: The phases of a pod's startup computed by :func:`startup_breakdown`: column -> description.
#: They follow one another, so for a pod they add up to ``ready - created``.
STARTUP_PHASES = {
    "queue_schedule_s": "queueing + scheduling (created -> scheduled)",
    "binding_s": "binding (scheduled -> bound)",
    "kubelet_watch_s": "kubelet watch (bound -> kubelet_seen)",
    "pod_setup_s": "pod setup / wait before pull (kubelet_seen -> pull_started)",
    "image_pull_s": "image pull (pull_started -> pulled)",
    "container_start_s": "container create + start (pulled or kubelet_seen -> started)",
    "status_report_s": "status report (started -> running)",
    "readiness_s": "readiness (running -> ready)",
}


@dataclass
class Trace:
    """One kubesim run, as read from its HDF5 trace file."""

    path: str
    attrs: dict
    summary: dict
    pods: pd.DataFrame
    nodes: pd.DataFrame
    events: pd.DataFrame
    cluster_series: pd.DataFrame
    engine_event_types: pd.DataFrame = field(default_factory=pd.DataFrame)
    engine_memory: pd.DataFrame = field(default_factory=pd.DataFrame)
    apiserver_requests: pd.DataFrame = field(default_factory=pd.DataFrame)
    deployments: pd.DataFrame = field(default_factory=pd.DataFrame)
    node_failures: pd.DataFrame = field(default_factory=pd.DataFrame)
    jobs: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Workload arrival generators (empty without Workload documents).
    workloads: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Services, EndpointSlices, kube-proxies and the network programming latency series (empty
    #: without Service documents).
    services: pd.DataFrame = field(default_factory=pd.DataFrame)
    endpointslices: pd.DataFrame = field(default_factory=pd.DataFrame)
    kube_proxy: pd.DataFrame = field(default_factory=pd.DataFrame)
    network_series: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Documented columns that the file lacked and that were filled with NaN, by table path
    #: (a table missing altogether is not listed: it loads empty).
    missing: dict = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """False when the run stopped early (the trace was written but not finished)."""
        return bool(self.attrs.get("complete", 0))

    def __repr__(self) -> str:
        return (f"<kubesim.Trace {self.path!r} experiment={self.attrs.get('experiment')!r} "
                f"pods={len(self.pods)} nodes={len(self.nodes)} events={len(self.events)} "
                f"complete={self.complete}>")


def _value(v):
    """A scalar attribute value as a plain Python object (bytes decoded)."""
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return [_value(x) for x in v.tolist()] if v.ndim else _value(v[()])
    return v


def _attrs(obj) -> dict:
    return {k: _value(v) for k, v in obj.attrs.items()}


def _table(f: h5py.Group, path: str, missing: dict | None = None) -> pd.DataFrame:
    """A compound dataset as a DataFrame, byte strings decoded; empty if missing.

    Documented columns (:data:`COLUMNS`) that the dataset lacks are appended, filled with NaN,
    and recorded in *missing* (path -> list of column names) when given.
    """
    ds = f.get(path)
    if not isinstance(ds, h5py.Dataset) or ds.dtype.names is None:
        return pd.DataFrame(columns=COLUMNS.get(path, []))
    df = pd.DataFrame(ds[()])
    for col in ds.dtype.names:
        if h5py.check_string_dtype(ds.dtype.fields[col][0]) is not None:
            df[col] = pd.Series([v.decode("utf-8", "replace") if isinstance(v, bytes) else v
                                 for v in df[col]], index=df.index, dtype=object)
    absent = [c for c in COLUMNS.get(path, []) if c not in df.columns]
    for col in absent:
        df[col] = np.nan
    if absent and missing is not None:
        missing[path] = absent
    return df


def load(path: str, warn: bool = True, group: str | None = None) -> Trace:
    """Read the trace at *path*; warns (see :func:`warn_if_incomplete`) unless ``warn=False``.

    *group* reads one run of a ``kubesim compare`` file (``"/runs/<profile>/seed-<n>"``; see
    :meth:`Comparison.trace`): its tables, its ``/summary``, and the file's root attributes
    overlaid with the run's own (``seed``, ``profile``, ``simulated_s``, ``complete``).
    """
    missing: dict = {}
    with h5py.File(path, "r") as file:
        f = file[group] if group else file
        attrs = _attrs(file)
        if group:
            attrs.update(_attrs(f))
        summary = f.get("summary")
        trace = Trace(
            path=f"{path}:{group}" if group else str(path),
            attrs=attrs,
            summary=_attrs(summary) if summary is not None else {},
            pods=_table(f, "pods", missing),
            nodes=_table(f, "nodes", missing),
            events=_table(f, "events", missing),
            cluster_series=_table(f, "cluster_series", missing),
            engine_event_types=_table(f, "engine/event_types", missing),
            engine_memory=_table(f, "engine/memory", missing),
            apiserver_requests=_table(f, "apiserver/requests", missing),
            deployments=_table(f, "deployments", missing),
            node_failures=_table(f, "node_failures", missing),
            jobs=_table(f, "jobs", missing),
            workloads=_table(f, "workloads", missing),
            services=_table(f, "services", missing),
            endpointslices=_table(f, "endpointslices", missing),
            kube_proxy=_table(f, "kube_proxy", missing),
            network_series=_table(f, "network_series", missing),
            missing=missing,
        )
    if warn:
        warn_if_incomplete(trace, stacklevel=3)
    return trace


@dataclass
class Comparison:
    """A ``kubesim compare`` file: one run per scheduler profile and seed (docs/TRACE_FORMAT.md)."""

    path: str
    attrs: dict
    #: /compare: one row per run (profile, seed, complete, and the :data:`COMPARE_METRICS`).
    runs: pd.DataFrame
    profiles: list
    seeds: list

    @property
    def complete(self) -> bool:
        """False when the comparison was interrupted (some runs missing or cut short)."""
        return bool(self.attrs.get("complete", 0))

    def trace(self, profile: str, seed: int, warn: bool = True) -> Trace:
        """The run of *profile* with *seed*, with its usual tables."""
        return load(self.path, warn=warn, group=f"/runs/{profile}/seed-{int(seed)}")

    def summary(self, lo: float = 0.025, hi: float = 0.975) -> pd.DataFrame:
        """Per profile (in the file's order) and metric: ``median``, ``lo`` and ``hi`` quantiles
        across the seeds and ``n``, over the complete runs, NaN values left out; linear
        interpolation, like the table `kubesim compare` prints (GSL's quantile)."""
        rows = []
        done = self.runs[self.runs["complete"].astype(int) == 1]
        for profile in self.profiles:
            runs = done[done["profile"] == profile]
            for metric in COMPARE_METRICS:
                v = pd.to_numeric(runs[metric], errors="coerce").astype(float).dropna().to_numpy()
                q = np.quantile(v, [0.5, lo, hi]) if len(v) else [np.nan] * 3
                rows.append({"profile": profile, "metric": metric, "median": q[0], "lo": q[1],
                             "hi": q[2], "n": len(v)})
        return pd.DataFrame(rows).set_index(["profile", "metric"])

    def __repr__(self) -> str:
        return (f"<kubesim.Comparison {self.path!r} experiment={self.attrs.get('experiment')!r} "
                f"profiles={self.profiles} seeds={len(self.seeds)} complete={self.complete}>")


def is_compare(path: str) -> bool:
    """Whether *path* was written by ``kubesim compare``."""
    with h5py.File(path, "r") as f:
        return _value(f.attrs.get("kind", b"")) == "compare"


def load_compare(path: str, warn: bool = True) -> Comparison:
    """Read a ``kubesim compare`` file; warns if it is incomplete unless ``warn=False``."""
    with h5py.File(path, "r") as f:
        attrs = _attrs(f)
        if attrs.get("kind") != "compare":
            raise ValueError(f"{path}: not a kubesim compare file (no root attribute kind = 'compare')")
        runs = _table(f, "compare")
    profiles = list(dict.fromkeys(runs["profile"].astype(str)))
    seeds = sorted(set(int(s) for s in runs["seed"]))
    c = Comparison(path=str(path), attrs=attrs, runs=runs, profiles=profiles, seeds=seeds)
    if warn and not c.complete:
        warnings.warn(f"{path}: comparison is incomplete (interrupted); /compare holds the runs "
                      "done, complete == 0 marks the one cut short", stacklevel=2)
    return c


def warn_if_incomplete(trace: Trace, stacklevel: int = 2) -> bool:
    """Issue a warning if the run did not finish (root attribute complete == 0); return complete."""
    if not trace.complete:
        warnings.warn(f"{trace.path}: trace is incomplete (the run stopped early); "
                      "tables end where the run stopped", stacklevel=stacklevel)
    return trace.complete


def _pod_index(p: pd.DataFrame) -> pd.Index:
    return pd.Index(p["namespace"].astype(str) + "/" + p["name"].astype(str), name="pod")


def startup_latency(trace: Trace) -> pd.Series:
    """Seconds from creation to the start of the pod's last container (``started - created``),
    for pods that started; indexed by namespace/name.

    This is the runtime's view and includes image pulls.  It is *not* kubesim's pod startup SLI
    (``startup_p*_s`` in ``/summary``: ``running - created`` less image pulls); for that and for
    each phase of the startup see :func:`startup_breakdown`.
    """
    p = trace.pods
    if p.empty:
        return pd.Series(dtype="float64", name="startup_s")
    s = pd.Series((p["started"] - p["created"]).astype("float64").to_numpy(), index=_pod_index(p))
    return s[p["started"].notna().to_numpy()].rename("startup_s")


def startup_breakdown(trace: Trace) -> pd.DataFrame:
    """Where each pod's startup time went: one row per pod that reached Running.

    Indexed by namespace/name, with the columns ``owner`` and ``node``, then the duration in
    seconds of each phase of :data:`STARTUP_PHASES`, in order:

    ``queue_schedule_s``   created -> scheduled: scheduler queues (activeQ, backoff, unschedulable
                           pool) and the scheduling cycle(s)
    ``binding_s``          scheduled -> bound: the binding POST through the API server
    ``kubelet_watch_s``    bound -> kubelet_seen: the node's kubelet receiving the pod by watch
    ``pod_setup_s``        kubelet_seen -> pull_started: containers whose images were present,
                           started before the first pull was asked for; 0 when nothing was pulled
    ``image_pull_s``       pull_started -> pulled: first pull asked for (including the wait
                           behind the node's serialized pulls) to last pull done; 0 when nothing
                           was pulled.  With several pulls this span also holds the containers
                           created and started between them.
    ``container_start_s``  pulled (or kubelet_seen when nothing was pulled) -> started
    ``status_report_s``    started -> running: PLEG relist, then the status PATCH committing
    ``readiness_s``        running -> ready: readiness (and startup) probes; 0 without probes, and
                           0 when the Ready write committed before the Running one; NaN if the
                           pod never became Ready

    and two totals:

    ``sli_s``  ``running - created - (pulled - pull_started)`` (no subtraction when nothing was
               pulled): upstream's pod startup SLI, computed from the pod table.  kubesim's own
               SLI (``startup_p*_s`` in ``/summary``) subtracts the exact time of each pull, so
               for a pod with several pulls the value here is smaller by the time spent between
               them (creating and starting the containers in between); with at most one pull
               they agree.
    ``e2e_s``  ``ready - created``, the end-to-end time to Ready (``ready_p*_s`` in ``/summary``).

    For each pod the eight phases add up to ``max(ready, running) - created``, which is ``e2e_s``
    unless Ready committed before Running.  Traces without the per-step columns
    (older kubesim) have NaN there and give an empty frame.

    Only pulls made while the pod started count.  The trace's ``pull_started``/``pulled`` also
    move for a pull made to restart a container (pull policy Always): when ``pull_started`` is
    after ``started`` nothing was pulled during the startup, and when ``pulled`` is after
    ``started`` the end of the startup's pulls is taken from the pod's last "Successfully pulled"
    event before ``started`` (NaN in the pull-related columns if the events do not have it).
    """
    p = trace.pods
    cols = ["owner", "node", *STARTUP_PHASES, "sli_s", "e2e_s"]
    if p.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="pod"))

    def t(col):
        return pd.to_numeric(p[col], errors="coerce").astype("float64").to_numpy()

    created, scheduled, bound, seen = t("created"), t("scheduled"), t("bound"), t("kubelet_seen")
    pull_started, pulled, started = t("pull_started"), t("pulled"), t("started")
    running, ready = t("running"), t("ready")
    pull = ~np.isnan(pull_started) & ~np.isnan(pulled) & ~(pull_started > started)
    late = pull & (pulled > started)  # `pulled` moved by a container restart's pull
    if late.any():
        pulled = pulled.copy()
        pulled[late] = _last_pull_before(trace.events, p[late], started[late])
    out = pd.DataFrame({
        "owner": p["owner"].astype(str).to_numpy(),
        "node": p["node"].astype(str).to_numpy(),
        "queue_schedule_s": scheduled - created,
        "binding_s": bound - scheduled,
        "kubelet_watch_s": seen - bound,
        "pod_setup_s": np.where(pull, pull_started - seen, 0.0),
        "image_pull_s": np.where(pull, pulled - pull_started, 0.0),
        "container_start_s": started - np.where(pull, pulled, seen),
        "status_report_s": running - started,
        "readiness_s": np.where(ready < running, 0.0, ready - running),
        "sli_s": running - created - np.where(pull, pulled - pull_started, 0.0),
        "e2e_s": ready - created,
    }, index=_pod_index(p))
    return out[~np.isnan(running)]


def _last_pull_before(events: pd.DataFrame, pods: pd.DataFrame, before: np.ndarray) -> np.ndarray:
    """For each of *pods*, the time of its last "Successfully pulled" event at or before *before*."""
    if events.empty:
        return np.full(len(pods), np.nan)
    e = events[(events["kind"] == "Pod") & (events["reason"] == "Pulled")
               & events["message"].astype(str).str.startswith("Successfully pulled")]
    want = pd.DataFrame({"namespace": pods["namespace"].astype(str).to_numpy(),
                         "name": pods["name"].astype(str).to_numpy(), "before": before})
    m = want.reset_index().merge(e[["namespace", "name", "time"]].astype({"namespace": str, "name": str}),
                                 on=["namespace", "name"], how="left")
    m = m[m["time"].astype(float) <= m["before"]]
    last = m.groupby("index")["time"].max()
    return last.reindex(range(len(want))).astype(float).to_numpy()


def _main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(f"usage: {argv[0]} TRACE.h5", file=sys.stderr)
        return 2
    if is_compare(argv[1]):
        return _main_compare(argv[1])
    t = load(argv[1])
    a, s = t.attrs, t.summary
    print(f"{t.path}: experiment {a.get('experiment')!r}, kubesim {a.get('kubesim_version')}, "
          f"schema {a.get('schema_version')}, seed {a.get('seed')}, "
          f"{'complete' if t.complete else 'INCOMPLETE'}")
    print(f"  simulated {a.get('duration_s', float('nan')):g} s, "
          f"sampled every {a.get('sample_interval_s', float('nan')):g} s")
    print(f"  tables: pods {len(t.pods)}, nodes {len(t.nodes)}, events {len(t.events)}, "
          f"cluster_series {len(t.cluster_series)}, apiserver/requests {len(t.apiserver_requests)}, "
          f"engine/event_types {len(t.engine_event_types)}, engine/memory {len(t.engine_memory)}")
    for path, cols in t.missing.items():
        print(f"  {path}: no column(s) {', '.join(cols)} (older trace; filled with NaN)")
    if not t.pods.empty:
        phases = t.pods["phase"].value_counts()
        print("  pod phases: " + ", ".join(f"{k} {v}" for k, v in phases.items()))
    lat = startup_latency(t)
    if len(lat):
        q = lat.quantile([0.5, 0.9, 0.99])
        print(f"  started - created: n={len(lat)} p50 {q[0.5]:.3f} s, p90 {q[0.9]:.3f} s, "
              f"p99 {q[0.99]:.3f} s")
    sli = startup_breakdown(t)["sli_s"]
    if len(sli):
        q = sli.quantile([0.5, 0.9, 0.99])
        print(f"  startup SLI (running - created - pulls): n={len(sli)} p50 {q[0.5]:.3f} s, "
              f"p90 {q[0.9]:.3f} s, p99 {q[0.99]:.3f} s")
    if not t.events.empty:
        warn = t.events[t.events["type"] == "Warning"]["reason"].value_counts()
        if len(warn):
            print("  warning events: " + ", ".join(f"{k} {v}" for k, v in warn.head(5).items()))
    if s:
        print("  summary: " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                        for k, v in s.items()))
    return 0


def _main_compare(path: str) -> int:
    c = load_compare(path)
    a = c.attrs
    print(f"{c.path}: kubesim compare of experiment {a.get('experiment')!r}, kubesim "
          f"{a.get('kubesim_version')}, schema {a.get('schema_version')}, "
          f"{'complete' if c.complete else 'INCOMPLETE'}")
    print(f"  profiles {', '.join(c.profiles)}; seeds {', '.join(map(str, c.seeds))}; "
          f"{len(c.runs)} runs in /compare")
    s = c.summary()
    for profile in c.profiles:
        cells = []
        for metric in ("nodes_used", "pods_pending", "cpu_fragmentation", "startup_p99_s"):
            r = s.loc[(profile, metric)]
            cells.append(f"{metric} {r['median']:.4g} [{r['lo']:.4g}, {r['hi']:.4g}]")
        print(f"  {profile}: " + ", ".join(cells))
    first = c.runs.iloc[0]
    t = c.trace(str(first["profile"]), int(first["seed"]), warn=False)
    print(f"  run {first['profile']} seed {first['seed']}: pods {len(t.pods)}, nodes {len(t.nodes)}, "
          f"events {len(t.events)}, cluster_series {len(t.cluster_series)}")
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
