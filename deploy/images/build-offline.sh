#!/usr/bin/env bash
# Builds the three services' OCI images with Jib (quarkus-container-image-jib) on a machine with no
# Docker daemon and no access to a public container registry, and writes each as an OCI archive:
#   target/images/<service>-0.1.0.oci.tar
# Everything comes from Debian's packages and Maven Central:
#   1. a Java 17 base image: a minimal Debian bookworm (debootstrap) with openjdk-17-jre-headless,
#      packed as an OCI image by this script (one layer), user 185 added, heap at 50 % of the
#      container's memory (JAVA_TOOL_OPTIONS; the ubi base's run-java.sh reads JAVA_MAX_MEM_RATIO instead);
#   2. a registry on 127.0.0.1:5000 for the run (Debian's docker-registry, data in a temporary folder);
#   3. Jib builds each service on that base and pushes it there (quarkus.container-image.push);
#   4. skopeo copies each image out of the registry into an OCI archive.
# Needs root (debootstrap, apt-get). With a reachable registry, use the one-liner in deploy/README.md
# instead. Usage: deploy/images/build-offline.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/target/images"
work="$(mktemp -d)"
trap 'kill "${registry_pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$out"

need() { command -v "$1" >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
need debootstrap debootstrap
need docker-registry docker-registry
need skopeo skopeo
need python3 python3

echo "== base image: Debian bookworm + openjdk-17-jre-headless"
rootfs="${SAMTYKKE_BASE_ROOTFS:-$work/rootfs}"
if [ ! -x "$rootfs/usr/lib/jvm/java-17-openjdk-amd64/bin/java" ]; then
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
fi
grep -q '^jboss:' "$rootfs/etc/passwd" || chroot "$rootfs" useradd --uid 185 --gid 0 --home-dir /deployments --no-create-home jboss
mkdir -p "$rootfs/deployments" && chown 185:0 "$rootfs/deployments"
rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
python3 - "$rootfs" "$work/base-oci" <<'PY'
import gzip, hashlib, json, os, sys, tarfile, io
rootfs, layout = sys.argv[1], sys.argv[2]
blobs = os.path.join(layout, "blobs", "sha256"); os.makedirs(blobs)
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
    for name in sorted(os.listdir(rootfs)):
        if name in ("proc", "sys", "dev"):
            t.add(os.path.join(rootfs, name), arcname=name, recursive=False)
        else:
            t.add(os.path.join(rootfs, name), arcname=name)
diff_id = hashlib.sha256(raw.getvalue()).hexdigest()
layer = gzip.compress(raw.getvalue(), 6, mtime=0)
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, d), "wb").write(data)
    return d, len(data)
ld, ls = blob(layer)
config = json.dumps({"architecture": "amd64", "os": "linux",
    "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                       "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64",
                       # the heap share the ubi image's JAVA_MAX_MEM_RATIO=50 gives (deploy/k8s)
                       "JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=50"],
               "User": "185", "WorkingDir": "/deployments"},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]}}).encode()
cd, cs = blob(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": cs},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + ld, "size": ls}]}).encode()
md, ms = blob(manifest)
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
    "digest": "sha256:" + md, "size": ms, "annotations": {"org.opencontainers.image.ref.name": "17"}}]},
    open(os.path.join(layout, "index.json"), "w"))
open(os.path.join(layout, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
print("base layer %.0f MB" % (ls / 1e6))
PY

echo "== registry on 127.0.0.1:5000 (for this run only)"
cat > "$work/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:5000
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 50); do curl -fs http://127.0.0.1:5000/v2/ >/dev/null && break; sleep 0.2; done
skopeo copy --quiet --dest-tls-verify=false "oci:$work/base-oci:17" docker://127.0.0.1:5000/samtykke/base-jre:17

echo "== Jib: the three services on that base, pushed to the registry"
cd "$root"
./mvnw -B -q package -DskipTests -pl consent-service,preference-service,audit-service -am \
  -Dquarkus.container-image.build=true -Dquarkus.container-image.push=true \
  -Dquarkus.container-image.registry=127.0.0.1:5000 -Dquarkus.container-image.insecure=true \
  -Dquarkus.jib.base-jvm-image=127.0.0.1:5000/samtykke/base-jre:17

for s in consent-service preference-service audit-service; do
  rm -f "$out/$s-0.1.0.oci.tar"
  skopeo copy --quiet --src-tls-verify=false "docker://127.0.0.1:5000/samtykke/$s:0.1.0" "oci-archive:$out/$s-0.1.0.oci.tar:samtykke/$s:0.1.0"
  echo "$out/$s-0.1.0.oci.tar $(du -m "$out/$s-0.1.0.oci.tar" | cut -f1) MB"
done
