import { Controller, Get, Module, NotFoundException, Param } from '@nestjs/common';
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
export class RegistryModule {}
