import { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';

/** Builds and initialises a Nest application (no HTTP listener) around `metadata`. */
export async function startApp(metadata: ModuleMetadata): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const app = moduleRef.createNestApplication({ logger: process.env.WARREN_TEST_LOGS ? undefined : false });
  await app.init();
  return app;
}

/** Closes every app given, even if one of them fails to close. */
export async function closeAll(...apps: Array<INestApplication | undefined>): Promise<void> {
  await Promise.allSettled(apps.map((app) => app?.close()));
}
