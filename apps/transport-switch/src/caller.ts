import 'reflect-metadata';
import { Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientsModule } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { clientOptions, transportName } from './transport';

/** A caller written only against ClientProxy; `TRANSPORT` picks how its calls travel. */
@Injectable()
class MathCaller {
  constructor(@Inject('MATH') private readonly math: ClientProxy) {}

  async run(): Promise<void> {
    const { product } = await lastValueFrom(this.math.send<{ product: number }>('math.multiply', { a: 6, b: 7 }));
    process.stdout.write(`math.multiply(6, 7) = ${product}\n`);
    await lastValueFrom(this.math.emit('math.audited', { id: `caller-${process.pid}` }), { defaultValue: undefined });
    process.stdout.write('math.audited emitted\n');
  }
}

@Module({ imports: [ClientsModule.register([{ name: 'MATH', ...clientOptions(transportName()) }])], providers: [MathCaller] })
class CallerModule {}

async function main() {
  const app = await NestFactory.createApplicationContext(CallerModule, { logger: ['error', 'warn'] });
  try {
    await app.get(MathCaller).run();
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`math-caller failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
