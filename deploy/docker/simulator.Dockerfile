# The OpenAI-compatible simulator, run through the moa CLI (`moa simulator`); the local overlay's
# provider. Build from the repository root after `mvn -DskipTests package`:
#   docker build -f deploy/docker/simulator.Dockerfile -t moa/simulator:0.1.0 .
# docs/operations.md, "Images".
FROM eclipse-temurin:17-jre-noble
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin moa
COPY cli/target/moa-cli.jar /opt/moa/moa-cli.jar
COPY cli/target/lib/ /opt/moa/lib/
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["java", "-cp", "/opt/moa/moa-cli.jar:/opt/moa/lib/*", "dev.moa.cli.Moa"]
CMD ["simulator", "--host", "0.0.0.0", "--port", "8000"]
