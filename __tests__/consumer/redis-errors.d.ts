// ioredis 6 ships declarations that import the untyped package redis-errors; with skipLibCheck off a consumer needs this line.
declare module "redis-errors";
