import { Module } from '@nestjs/common';
import { MathHttpController } from './math-http.controller';
import { MathController } from './math.controller';
import { MathService } from './math.service';

@Module({ controllers: [MathController], providers: [MathService] })
export class MathServiceModule {}

/** The hybrid app: the same service over HTTP and over messages. */
@Module({ controllers: [MathController, MathHttpController], providers: [MathService] })
export class MathHybridModule {}
