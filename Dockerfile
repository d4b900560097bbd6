# One image for the sample apps; docker-compose.yml picks the entry point.
FROM node:20-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/warren/package.json libs/warren/package.json
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# Nest drains on SIGTERM; docker stop sends it.
CMD ["node", "dist/apps/gateway/src/main.js"]
