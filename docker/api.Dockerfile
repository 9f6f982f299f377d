# syntax=docker/dockerfile:1
# API process of Sanmenxia.Orleans (an Orleans client: Api:CoHostSilo stays false). Build from the repository root:
#   docker build -f docker/api.Dockerfile -t sanmenxia/api:1.0.0 .
# docker/api.Dockerfile.dockerignore keeps bin/, obj/, .data/ and .git/ out of the context (BuildKit).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Abstractions/Sanmenxia.Abstractions.csproj src/Abstractions/
COPY src/Platform/Sanmenxia.Platform.csproj src/Platform/
COPY src/Grains/Sanmenxia.Grains.csproj src/Grains/
COPY src/Persistence/Sanmenxia.Persistence.csproj src/Persistence/
COPY src/Silo/Sanmenxia.Silo.csproj src/Silo/
COPY src/Api/Sanmenxia.Api.csproj src/Api/
RUN dotnet restore src/Api/Sanmenxia.Api.csproj
COPY src/ src/
# The silo's defaults are in silo.appsettings.json, so the API's appsettings.json is the only one here.
RUN dotnet publish src/Api/Sanmenxia.Api.csproj -c Release --no-restore -o /app/publish -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app/publish .
# appsettings.json binds 127.0.0.1:5080 for ./sanmenxia; in a container listen on every interface.
ENV ASPNETCORE_ENVIRONMENT=Production \
    Urls=http://0.0.0.0:8080
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Sanmenxia.Api.dll"]
