/** Types of scripts/cluster.js, for the cluster tests and the bench. */
export interface ClusterNode {
  id: string;
  name: string;
  amqpPort: number;
  distPort: number;
}
export declare const NODES: ClusterNode[];
export declare function up(): Promise<string[]>;
export declare function down(): Promise<void>;
export declare function start(id: string, timeoutMs?: number): Promise<void>;
export declare function stop(id: string): Promise<void>;
export declare function kill(id: string): Promise<void>;
export declare function status(): Promise<string>;
export declare function awaitRunning(count?: number, timeoutMs?: number): Promise<string[]>;
export declare function runningNodes(via?: string): string[];
export declare function queueLeader(queue: string): string | undefined;
export declare function uris(): string[];
export declare function nodeOf(id: string): ClusterNode;
