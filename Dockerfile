# The sansang board image, built by each dc-<id> stack (docker_image; its context is this folder as
# synth copies it into cdktf.out/board-image/, filtered by .dockerignore) unless the inventory names
# a published image (images.board).
#   docker build -t sansang-board:0.1.0 .
#   docker run --rm sansang-board:0.1.0 board --inventory /etc/sansang/inventory.yaml --listen 0.0.0.0:8080
# Pinned to the Node release the project is tested on; tsx runs the TypeScript sources directly.
ARG NODE_VERSION=20.20.2
FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production \
    CHECKPOINT_DISABLE=1 \
    DISABLE_VERSION_CHECK=true
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# Everything else that .dockerignore lets through: the sources the command line imports.
COPY . .
# The board's sign-off log lives on a volume; the directory must belong to the unprivileged user.
RUN mkdir -p /var/lib/sansang /etc/sansang && chown node:node /var/lib/sansang
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:8080/metrics',(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
ENTRYPOINT ["node", "bin/sansang.js"]
CMD ["board", "--inventory", "/etc/sansang/inventory.yaml", "--listen", "0.0.0.0:8080", "--data-dir", "/var/lib/sansang"]
