# The orchestrator service. Build from the repository root after `mvn -DskipTests package`:
#   docker build -f deploy/docker/orchestrator.Dockerfile -t moa/orchestrator:0.1.0 .
# docs/operations.md, "Images".
FROM eclipse-temurin:17-jre-noble
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin moa
COPY orchestrator/target/orchestrator-0.1.0-SNAPSHOT-exec.jar /opt/moa/app.jar
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/moa/app.jar"]
