"""What the local Java services (Elasticsearch, CoreNLP) share: the repository's cache folder,
finding a JDK, fetching artifacts from Maven Central, the unprivileged service user, stopping
a process by its pid file. Standard library only: it runs before the virtualenv exists.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("NEWSHOUND_CACHE_DIR", REPO / ".cache"))
SERVICE_USER = "newshound-es"


def pinned(key: str) -> str:
    """A version pinned in pyproject.toml ``[tool.newshound]``."""
    with open(REPO / "pyproject.toml", "rb") as handle:
        return str(tomllib.load(handle)["tool"]["newshound"][key])


def java_major(java: Path) -> int | None:
    try:
        output = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', output)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 and match.group(2) else major


# Which JDK each service runs on: the oldest Java it supports, and its own JDK variable.
JAVA_NEEDS = {
    "Elasticsearch": (21, "ES_JAVA_HOME"),  # Elasticsearch 9 requires Java 21+ (its own bundle is 25)
    "CoreNLP": (17, "CORENLP_JAVA_HOME"),  # CoreNLP 4.5 runs on 8+; measured and tuned on 17
}
# Long-term-support releases, preferred over the short-lived ones between them.
LTS_JAVA = (17, 21, 25)


def find_java(service: str) -> Path:
    """The JDK home ``service`` runs on, by the one rule: its own variable when set (it must be new
    enough), else ``JAVA_HOME`` when new enough, else under /usr/lib/jvm the oldest LTS release at
    or above the service's minimum (then the oldest newer one). The oldest that qualifies keeps
    each service on the release closest to the one it was tested on: CoreNLP stays on 17 while
    Elasticsearch takes 21 or 25."""
    minimum, own_variable = JAVA_NEEDS[service]
    looked: list[str] = []
    for variable in (own_variable, "JAVA_HOME"):
        home = os.environ.get(variable)
        if not home:
            looked.append(f"{variable} (unset)")
            continue
        version = java_major(Path(home) / "bin" / "java")
        if version is not None and version >= minimum:
            return Path(home)
        looked.append(f"{variable}={home} (Java {version or 'not found'})")
        if variable == own_variable:
            sys.exit(f"{service} needs Java {minimum} or newer; {looked[-1]}: point {variable} at a newer JDK")
    found: dict[int, Path] = {}
    for candidate in sorted(Path("/usr/lib/jvm").glob("*")):
        java = candidate / "bin" / "java"
        if candidate.is_symlink() or not java.exists():
            continue
        version = java_major(java)
        if version is not None:
            found.setdefault(version, candidate)
    usable = sorted((version not in LTS_JAVA, version) for version in found if version >= minimum)
    if usable:
        return found[usable[0][1]]
    have = ", ".join(f"Java {version} ({home})" for version, home in sorted(found.items())) or "no JDK"
    sys.exit(
        f"{service} needs Java {minimum} or newer. Looked at {', '.join(looked)} and /usr/lib/jvm/*: {have}. "
        f"Install a JDK {minimum}+ (e.g. Temurin from adoptium.net, or openjdk-{minimum}-jdk-headless where "
        f"the distribution has it) or set {own_variable}."
    )


def require_maven(what: str) -> None:
    if subprocess.run(["which", "mvn"], capture_output=True).returncode != 0:
        sys.exit(f"Maven (mvn) is needed to fetch {what} from Maven Central: apt-get install -y maven")


def maven_copy(artifact: str, destination: Path, local_repository: Path | None = None) -> None:
    """Copy one artifact (``group:name:version[:type[:classifier]]``) from Maven Central into ``destination``."""
    command = ["mvn", "-q", "-B", "dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={destination}"]
    if local_repository is not None:
        command.append(f"-Dmaven.repo.local={local_repository}")
    subprocess.run(command, check=True)


def maven_runtime_classpath(group: str, name: str, version: str, destination: Path) -> None:
    """Copy an artifact and its runtime dependencies into ``destination``."""
    pom = destination / "pom.xml"
    pom.write_text(
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        "<groupId>newshound</groupId><artifactId>fetch</artifactId><version>1</version><dependencies>"
        f"<dependency><groupId>{group}</groupId><artifactId>{name}</artifactId><version>{version}</version>"
        "</dependency></dependencies></project>"
    )
    subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
            f"-DoutputDirectory={destination}",
        ],
        check=True,
    )
    pom.unlink()


def ensure_service_user() -> None:
    """The unprivileged user the services run as when started by root."""
    if subprocess.run(["id", "-u", SERVICE_USER], capture_output=True).returncode == 0:
        return
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER], check=True
    )


def run_as_service_user(paths: Sequence[Path]) -> list[str]:
    """The command prefix that drops root (after handing ``paths`` to the service user), or nothing."""
    if os.geteuid() != 0:
        return []
    ensure_service_user()
    for path in paths:
        subprocess.run(["chown", "-R", SERVICE_USER, str(path)], check=True)
    return ["runuser", "-u", SERVICE_USER, "--"]


def stop_pidfile(pidfile: Path, name: str) -> None:
    """SIGTERM the process named in ``pidfile``, SIGKILL after 30 s, remove the file."""
    if not pidfile.exists():
        print(f"no {name} started by this script ({pidfile} missing)")
        return
    pid = int(pidfile.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pidfile.unlink(missing_ok=True)
        return
    for _ in range(120):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.25)
    else:
        os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    print(f"{name} stopped")
