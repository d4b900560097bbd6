import { Injectable } from '@nestjs/common';
import { RabbitRPC } from 'nestjs-warren';
import { QUEUES, ReportRequestDto, ReportResult, reportsGenerate } from '../../shared/contracts';

/**
 * A slow operation behind request/reply. The queue is a work queue: start several rpc-server
 * processes and they share the requests, each taking at most `prefetch` at a time.
 */
@Injectable()
export class ReportsService {
  @RabbitRPC({ ...reportsGenerate, queue: QUEUES.reports, prefetch: 2 })
  async generate({ size }: ReportRequestDto): Promise<ReportResult> {
    await new Promise((resolve) => setTimeout(resolve, size * 20)); // stands in for real work
    return { lines: size, generatedBy: `pid ${process.pid}` };
  }
}
