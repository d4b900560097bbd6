/** Types of scripts/broker-target.js (the JavaScript twin of nestjs-warren/testing's resolveBrokerTarget). */
import type { BrokerTarget, BrokerTargetOptions } from '../libs/warren/src/testing/broker-target';
export declare function resolveBrokerTarget(options?: BrokerTargetOptions, env?: NodeJS.ProcessEnv): BrokerTarget;
export declare function isLocalHost(host: string): boolean;
export declare const DEFAULT_URL: string;
