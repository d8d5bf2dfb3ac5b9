# The aggregator service. Build from the repository root after `mvn -DskipTests package`:
#   docker build -f deploy/docker/aggregator.Dockerfile -t moa/aggregator:0.1.0 .
# docs/operations.md, "Images".
FROM eclipse-temurin:17-jre-noble
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin moa
COPY aggregator/target/aggregator-0.1.0-SNAPSHOT-exec.jar /opt/moa/app.jar
USER 10001:10001
EXPOSE 8082
ENTRYPOINT ["java", "-jar", "/opt/moa/app.jar"]
