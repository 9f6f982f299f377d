# syntax=docker/dockerfile:1
# Orleans silo of Sanmenxia.Orleans. Build from the repository root (the context is the whole repo):
#   docker build -f docker/silo.Dockerfile -t sanmenxia/silo:1.0.0 .
# The same image applies the database migrations and exits:
#   docker run --rm -e Postgres__ConnectionString=... sanmenxia/silo:1.0.0 migrate
# docker/silo.Dockerfile.dockerignore keeps bin/, obj/, .data/ and .git/ out of the context (BuildKit).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone, so a source change does not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Abstractions/Sanmenxia.Abstractions.csproj src/Abstractions/
COPY src/Platform/Sanmenxia.Platform.csproj src/Platform/
COPY src/Grains/Sanmenxia.Grains.csproj src/Grains/
COPY src/Persistence/Sanmenxia.Persistence.csproj src/Persistence/
COPY src/Silo/Sanmenxia.Silo.csproj src/Silo/
RUN dotnet restore src/Silo/Sanmenxia.Silo.csproj
COPY src/ src/
RUN dotnet publish src/Silo/Sanmenxia.Silo.csproj -c Release --no-restore -o /app/publish -p:UseAppHost=false

# The silo needs the ASP.NET Core shared framework too (the Orleans dashboard references it).
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish .
COPY docker/silo-entrypoint.sh /app/silo-entrypoint.sh
# Defaults of Sanmenxia.Silo.Hosting.ClusterOptions; the container publishes both.
ENV DOTNET_ENVIRONMENT=Production \
    Orleans__SiloPort=11111 \
    Orleans__GatewayPort=30000
EXPOSE 11111 30000
# The .NET images define the unprivileged user 'app' (uid $APP_UID = 1654).
USER $APP_UID
# The entrypoint sets Orleans__AdvertisedAddress to the container's IP unless it is given, then runs
# 'dotnet Sanmenxia.Silo.dll' with the container's arguments (none, or 'migrate').
ENTRYPOINT ["/bin/sh", "/app/silo-entrypoint.sh"]
