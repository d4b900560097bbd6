import { parseNodeIdentity } from './broker-identity';

describe('parseNodeIdentity', () => {
  it("reads the cluster name and listener ports rabbitmqctl eval prints (3.10, 4.0, 4.3 alike)", () => {
    expect(parseNodeIdentity('{<<"rabbit@vm">>,[5672],[]}\n')).toEqual({ clusterName: 'rabbit@vm', tcpPorts: [5672], sslPorts: [] });
    expect(parseNodeIdentity('{<<"warren43@vm">>,[5660],\n [5661]}')).toEqual({ clusterName: 'warren43@vm', tcpPorts: [5660], sslPorts: [5661] });
    expect(parseNodeIdentity('{undefined,[5672,5673],[]}')).toEqual({ clusterName: undefined, tcpPorts: [5672, 5673], sslPorts: [] });
  });

  it('refuses anything else, so a failed query never passes for a match', () => {
    expect(() => parseNodeIdentity('Error: unable to perform an operation on node')).toThrow('unexpected answer to the listener query');
    expect(() => parseNodeIdentity('')).toThrow('unexpected answer');
  });
});
