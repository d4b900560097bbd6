import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Component, ComponentMethod, ComponentsModule, WarrenModule } from 'nestjs-warren';

/** The seed's example: a component others call by name. Start several: they share the work. */
@Injectable()
@Component('IntSummator', { version: '1.0.0' })
export class IntSummator {
  /** `a` and `b` are checked to be numbers before this runs; integers are this method's own rule. */
  @ComponentMethod()
  int_sum(a: number, b: number): number {
    if (!Number.isInteger(a) || !Number.isInteger(b)) throw Object.assign(new Error('int_sum adds integers only'), { code: 'NOT_INTEGER' });
    return a + b;
  }
}

@Module({ imports: [WarrenModule.forRoot({ connection: { name: 'int-summator' } }), ComponentsModule.forRoot()], providers: [IntSummator] })
class IntSummatorModule {}

async function bootstrap() {
  const app = await NestFactory.createApplicationContext(IntSummatorModule, { abortOnError: false });
  app.enableShutdownHooks();
  process.stdout.write('int-summator ready\n');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`int-summator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
