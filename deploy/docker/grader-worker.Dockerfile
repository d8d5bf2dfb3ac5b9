# The grader-worker service: the JVM plus bubblewrap and Python 3, which the code graders run
# answers with (/usr/bin/bwrap, /usr/bin/python3; decision 009). bubblewrap is not setuid here: it
# needs the pod settings of deploy/k8s/base/grader-worker.yaml. Build from the repository root
# after `mvn -DskipTests package`:
#   docker build -f deploy/docker/grader-worker.Dockerfile -t moa/grader-worker:0.1.0 .
# docs/operations.md, "Images".
FROM eclipse-temurin:17-jre-noble
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends bubblewrap python3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin moa
COPY grader-worker/target/grader-worker-0.1.0-SNAPSHOT-exec.jar /opt/moa/app.jar
USER 10001:10001
EXPOSE 8083
ENTRYPOINT ["java", "-jar", "/opt/moa/app.jar"]
