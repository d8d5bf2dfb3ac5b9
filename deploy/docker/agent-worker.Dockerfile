# The agent-worker service. Build from the repository root after `mvn -DskipTests package`:
#   docker build -f deploy/docker/agent-worker.Dockerfile -t moa/agent-worker:0.1.0 .
# docs/operations.md, "Images".
FROM eclipse-temurin:17-jre-noble
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin moa
COPY agent-worker/target/agent-worker-0.1.0-SNAPSHOT-exec.jar /opt/moa/app.jar
USER 10001:10001
EXPOSE 8081
ENTRYPOINT ["java", "-jar", "/opt/moa/app.jar"]
