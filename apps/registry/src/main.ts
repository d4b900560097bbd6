import 'reflect-metadata';
import { Controller, Get, Module, NotFoundException, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ComponentRegistry, ComponentsModule, WarrenModule } from 'nestjs-warren';

/** The live catalogue over HTTP. */
@Controller('components')
class CatalogueController {
  constructor(private readonly registry: ComponentRegistry) {}

  @Get()
  list() {
    return this.registry.list();
  }

  @Get(':name')
  one(@Param('name') name: string) {
    const entry = this.registry.get(name);
    if (!entry) throw new NotFoundException(`No live component '${name}'`);
    return entry;
  }
}

@Module({ imports: [WarrenModule.forRoot({ connection: { name: 'registry' } }), ComponentsModule.forRoot()], controllers: [CatalogueController] })
class RegistryModule {}

async function bootstrap() {
  const app = await NestFactory.create(RegistryModule, { abortOnError: false });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3002), process.env.HOST ?? '127.0.0.1');
  process.stdout.write('registry ready\n');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`registry failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
