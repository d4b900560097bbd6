import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { RpcClient } from 'nestjs-warren';
import { mathSum, reportsGenerate } from '../../shared/contracts';

/** Calls other services' methods by name; their errors come back as typed exceptions. */
@Controller()
export class MathController {
  constructor(private readonly rpc: RpcClient) {}

  /** Query strings are text; the math service validates that the numbers are integers. */
  @Get('math/sum')
  sum(@Query('a') a: string, @Query('b') b: string) {
    return this.rpc.call(mathSum, { a: Number(a), b: Number(b) });
  }

  @Post('reports')
  report(@Body() body: { size: number }) {
    return this.rpc.call(reportsGenerate, body, { timeoutMs: 5_000 });
  }
}
