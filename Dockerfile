# syntax=docker/dockerfile:1
# Studio: one container, SQLite + local blobs under /data (mount a volume there).
#   docker build -t studio .
#   docker run -p 8080:8080 -v studio-data:/data studio
# For the scale-out parts (PostgreSQL, Redis, Azurite) see infra/compose.yaml.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore first, from the project files and the solution-wide props only, so that this layer is cached
# until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Studio.Emulator/Studio.Emulator.csproj src/Studio.Emulator/
COPY src/Studio.Web/Studio.Web.csproj src/Studio.Web/
RUN dotnet restore src/Studio.Web/Studio.Web.csproj

# Then the sources: src/ and wwwroot-assets/ (Studio.Web links ../../wwwroot-assets into wwwroot/studio/).
# `COPY . .` rather than naming wwwroot-assets, which git does not create while it is empty;
# .dockerignore keeps tests, docs and build output out.
COPY . .
RUN dotnet publish src/Studio.Web/Studio.Web.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# ffmpeg/ffprobe: the archiver reads each video's metadata and makes poster frames; the Sandbox
# emulator renders its MP4s with it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

# The aspnet image ships a non-root "app" user (APP_UID); /data must belong to it before VOLUME.
RUN mkdir -p /data && chown "$APP_UID" /data

WORKDIR /app
COPY --from=build /app .

ENV ASPNETCORE_HTTP_PORTS=8080 \
    Studio__DataDirectory=/data
VOLUME /data
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "Studio.Web.dll"]
