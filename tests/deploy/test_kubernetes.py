"""deploy/k8s/wuye.yaml as an operator applies it: a migrations Job before the rollout (and every pod
waiting for its schema), probes on /healthz, worker and beat Deployments with beat a single replica,
resource requests everywhere, and every value from the Secret, none inline."""

from __future__ import annotations

import yaml

from tests.deploy.compose_env import ROOT

TEXT = (ROOT / "deploy" / "k8s" / "wuye.yaml").read_text()
DOCUMENTS = [doc for doc in yaml.safe_load_all(TEXT) if doc]


def _workload(kind: str, name: str) -> dict:
    [found] = [doc for doc in DOCUMENTS if doc["kind"] == kind and doc["metadata"]["name"] == name]
    return found


def _pods() -> dict[str, dict]:
    return {
        doc["metadata"]["name"]: doc["spec"]["template"]["spec"]
        for doc in DOCUMENTS
        if doc["kind"] in ("Deployment", "Job")
    }


def test_a_migrations_job_runs_migrate_schemas_and_every_deployment_waits_for_it():
    job = _workload("Job", "wuye-migrate")
    [migrate] = job["spec"]["template"]["spec"]["containers"]
    assert "migrate_schemas" in " ".join(migrate["command"]) and "--executor" not in " ".join(migrate["command"])
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    for name in ("wuye-web", "wuye-worker", "wuye-beat"):
        [wait] = _workload("Deployment", name)["spec"]["template"]["spec"]["initContainers"]
        assert "migrate_schemas --shared --check" in " ".join(wait["command"])


def test_web_is_probed_on_healthz():
    [web] = _workload("Deployment", "wuye-web")["spec"]["template"]["spec"]["containers"]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert web[probe]["httpGet"] == {"path": "/healthz", "port": 8000}, probe


def test_worker_and_beat_run_with_beat_a_single_replica():
    worker = _workload("Deployment", "wuye-worker")
    beat = _workload("Deployment", "wuye-beat")
    assert worker["spec"]["template"]["spec"]["containers"][0]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert beat["spec"]["template"]["spec"]["containers"][0]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"] == {"type": "Recreate"}
    assert "livenessProbe" in worker["spec"]["template"]["spec"]["containers"][0]


def test_every_container_requests_resources_and_runs_as_a_user():
    for name, pod in _pods().items():
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"] + pod.get("initContainers", []):
            requests = container["resources"]["requests"]
            assert requests.get("cpu") and requests.get("memory"), (name, container["name"])
            assert container["resources"]["limits"]["memory"], (name, container["name"])


def test_values_come_from_the_secret_never_inline():
    for name, pod in _pods().items():
        for container in pod["containers"] + pod.get("initContainers", []):
            assert container["envFrom"] == [{"secretRef": {"name": "wuye-env"}}], (name, container["name"])
            for item in container.get("env", []):
                # Only a fact of the deployment inline; anything secret would be a secretKeyRef.
                assert item["name"] == "WUYE_TRUSTED_PROXY_COUNT" or "secretKeyRef" in item.get("valueFrom", {})
    assert not any(doc["kind"] == "Secret" for doc in DOCUMENTS)  # the operator creates it, with real values
    assert "WUYE_DEMO" not in TEXT and "_standins" not in TEXT
