/**
 * The floor for `bench/synth.bench.ts`: the smallest aws-cdk-lib app CloudFormation accepts, one stack with one
 * placeholder resource (an empty Resources section is itself a validation error), in the default app's account
 * and region. Synthesized by the same CLI, with the same flags and cdk.json context, as the default app.
 */
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';

const app = new App();
const stack = new Stack(app, 'Floor', { env: { account: '111111111111', region: 'eu-west-1' } });
new CfnWaitConditionHandle(stack, 'Placeholder');
app.synth();
