# syntax=docker/dockerfile:1
# promptcanary's image: the one jar (every command: server, worker, migrate, key, check, ...) on a JRE, with the
# shipped configs in /app/config. Built from the source, nothing needed on the host but Docker:
#   docker build -t promptcanary:0.1.0 .
# The compose stack (deployment/compose/) and the Helm chart (deployment/helm/promptcanary/) run this image.

# Build stage: the same Maven build as `./promptcanary` and CI, without the tests (CI runs them).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The Maven repository is a build cache, so a rebuild downloads nothing it already has.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl devstack -am package -DskipTests && cp devstack/target/promptcanary.jar /promptcanary.jar

FROM eclipse-temurin:17-jre
# curl for the health checks of compose (and of anyone probing from inside the container).
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 promptcanary
COPY --from=build /promptcanary.jar /app/promptcanary.jar
COPY deployment/config/ /app/config/
USER 10001
# API 8080, API admin 8081 (/ping, /healthcheck, /metrics/prometheus), worker admin 8091 (deployment/config/*.yml).
EXPOSE 8080 8081 8091
# SIGTERM (docker stop, Kubernetes) stops Dropwizard in order: the worker finishes its tasks in flight first.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/promptcanary.jar"]
CMD ["server", "/app/config/server.yml"]
