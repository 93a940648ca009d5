# The report caps-aggregate computes (global models + per-node lists +
# model support), written in jq for bench/aggregate.sh.
def ns: "libvirt.feature.node.kubernetes.io/";
def names($p): [to_entries[] | select(.key | startswith(ns + $p)) | .key | ltrimstr(ns + $p)] | sort;
[.items[] | .metadata as $m | ($m.labels // {}) as $l
  | select([$l | keys[] | startswith(ns)] | any)
  | {node_name: $m.name,
     arch: $l[ns + "arch"], virttype: $l[ns + "virttype"],
     host_cpu_model: {name: $l[ns + "host-model"], vendor: $l[ns + "cpu-vendor"],
                      required_features: ($l | names("host-model-feature."))},
     supported_models: ($l | names("cpu-model.")),
     supported_features: ($l | names("cpu-feature.")),
     migration_models: ($l | names("cpu-model-migration.")),
     machine_types: ($l | names("machine-type.")),
     libvirt_version: $l[ns + "libvirt-version"], qemu_version: $l[ns + "qemu-version"],
     tsc: (if $l[ns + "tsc-frequency"] then {frequency: ($l[ns + "tsc-frequency"] | tonumber),
                                              scalable: ($l[ns + "tsc-scalable"] == "true")}
           else null end)}]
| sort_by(.node_name) as $nodes
| {cluster: {nodes: ($nodes | length)},
   # one arch in the benchmark's clusters; the report keys it by arch
   global_caps: {($nodes[0].arch): (reduce ($nodes[1:][] | .supported_models) as $s
                                    ($nodes[0].supported_models; . - (. - $s)))},
   model_support: ([$nodes[] | .node_name as $n | .supported_models[] | {model: ., node: $n}]
                   | group_by(.model) | map({model: .[0].model, nodes: map(.node), count: length})),
   nodes_caps: $nodes}
