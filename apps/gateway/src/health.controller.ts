import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { WarrenHealthIndicator } from 'nestjs-warren/health';

/** Readiness for a load balancer or Kubernetes: 200 while Warren can work, 503 with the reasons when not. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly warren: WarrenHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.warren.isHealthy()]);
  }
}
