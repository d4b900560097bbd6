import { Injectable, Module } from '@nestjs/common';
import { Component, ComponentMethod, ComponentsModule, WarrenModule } from 'nestjs-warren';

/** The seed's example: a component others call by name. Start several: they share the work. */
@Injectable()
@Component('IntSummator', { version: '1.0.0' })
class IntSummator {
  /** `a` and `b` are checked to be numbers before this runs; integers are this method's own rule. */
  @ComponentMethod()
  int_sum(a: number, b: number): number {
    if (!Number.isInteger(a) || !Number.isInteger(b)) throw Object.assign(new Error('int_sum adds integers only'), { code: 'NOT_INTEGER' });
    return a + b;
  }
}

@Module({ imports: [WarrenModule.forRoot({ connection: { name: 'int-summator' } }), ComponentsModule.forRoot()], providers: [IntSummator] })
export class IntSummatorModule {}

