import { Body, Controller, HttpCode, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import { MultiplyDto } from './math.dto';
import { MathService } from './math.service';

/** The same operation over HTTP: same DTO, same constraints; errors as HTTP 400. */
@Controller('math')
@UsePipes(new ValidationPipe())
export class MathHttpController {
  constructor(private readonly math: MathService) {}

  @Post('multiply')
  @HttpCode(200)
  multiply(@Body() dto: MultiplyDto) {
    return this.math.multiply(dto);
  }
}
