import * as path from 'path';
import * as ts from 'typescript';
import * as publicApi from '../../lib';
import * as capacityApi from '../../lib/capacity';

// Separate file: importing the package root loads every concern's constructs (aws-cdk-lib).
describe('the capacity model’s public API', () => {
  test('is the CapacityModel class and its enums at runtime: no free functions or constants', () => {
    expect(Object.keys(capacityApi).sort()).toEqual([
      'CapacityModel',
      'CapacityResource',
      'CostGroup',
      'FargateArchitecture',
    ]);
    const api = publicApi as Record<string, unknown>;
    expect(api.CapacityModel).toBe(capacityApi.CapacityModel);
    for (const name of ['planCapacity', 'validateCapacityInput', 'minTasksFor', 'formatPlanTable', 'runCapacityCli']) {
      expect(api[name]).toBeUndefined();
    }
  });

  test('CapacityModel plans, validates, prices and budgets through static methods', () => {
    const { CapacityModel } = capacityApi;
    const input = { peakRps: 1000, meanLatencyMs: 100, cpuSecondsPerRequest: 0.01, memoryPerConnectionMiB: 10 };
    const plan = CapacityModel.plan(input);
    expect([plan.minTasks, plan.peakTasks, plan.maxTasks]).toEqual([2, 8, 13]);
    expect(CapacityModel.validate(input).baselineRps).toBe(250);
    expect(CapacityModel.DEFAULT_BASELINE_FRACTION).toBe(0.25);
    expect(CapacityModel.MAX_TASKS_PER_SERVICE).toBe(5000);
    expect(CapacityModel.HOURS_PER_MONTH).toBe(730);
    const cost = CapacityModel.cost(plan, { region: 'eu-west-1' });
    expect(cost.idleTotalUsd).toBeLessThan(cost.peakTotalUsd);
    expect(CapacityModel.pricedRegions()).toEqual(['eu-central-1', 'eu-west-1', 'us-east-1']);
    expect(CapacityModel.defaultAppInventory().natGateways).toBe(2);
    expect(CapacityModel.connectionBudget({ instanceClass: 'db.m7g.large', maxTasks: plan.maxTasks }).fits).toBe(true);
    expect(CapacityModel.isValidFargateSize(2048, 4096)).toBe(true);
    expect(CapacityModel.fargateSizes()).toContainEqual({ cpu: 256, memoryMiB: 512 });
    expect(CapacityModel.fargateMemoryOptions(256)).toEqual([512, 1024, 2048]);
  });

  // jsii (issue 16) accepts classes, enums and interfaces of readonly fields; not type aliases, string-literal
  // unions, `readonly T[]`, inline object types, mapped or utility types. Checked on the declarations.
  test('every exported type is jsii-shaped', () => {
    const index = path.join(__dirname, '..', '..', 'lib', 'capacity', 'index.ts');
    const program = ts.createProgram([index], { strict: true, target: ts.ScriptTarget.ES2022 });
    const checker = program.getTypeChecker();
    const module = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
    const problems: string[] = [];
    const checkType = (where: string, node: ts.TypeNode | undefined): void => {
      if (!node) {
        problems.push(`${where}: no type`);
        return;
      }
      const text = node.getText();
      if (ts.isTypeLiteralNode(node) && !node.members.every(ts.isIndexSignatureDeclaration))
        problems.push(`${where}: inline object type ${text}`);
      if (ts.isMappedTypeNode(node)) problems.push(`${where}: mapped type ${text}`);
      if (ts.isTypeOperatorNode(node)) problems.push(`${where}: type operator ${text}`);
      if (ts.isUnionTypeNode(node)) problems.push(`${where}: union ${text}`);
      if (
        ts.isTypeReferenceNode(node) &&
        /^(Omit|Pick|Partial|Required|Record|Readonly|ReadonlyArray)$/.test(node.typeName.getText())
      )
        problems.push(`${where}: utility type ${text}`);
      if (ts.isArrayTypeNode(node)) checkType(where, node.elementType);
    };
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      for (const decl of symbol.declarations ?? []) {
        const name = symbol.getName();
        if (ts.isTypeAliasDeclaration(decl)) problems.push(`${name}: type alias`);
        else if (ts.isInterfaceDeclaration(decl)) {
          for (const m of decl.members) {
            if (!ts.isPropertySignature(m)) {
              problems.push(`${name}.${m.name?.getText()}: not a property`);
              continue;
            }
            if (!m.modifiers?.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword))
              problems.push(`${name}.${m.name.getText()}: not readonly`);
            checkType(`${name}.${m.name.getText()}`, m.type);
          }
        } else if (ts.isClassDeclaration(decl)) {
          for (const m of decl.members) {
            if (!ts.isMethodDeclaration(m)) continue;
            for (const p of m.parameters) checkType(`${name}.${m.name.getText()}(${p.name.getText()})`, p.type);
            checkType(`${name}.${m.name.getText()}()`, m.type);
          }
        } else if (!ts.isEnumDeclaration(decl)) problems.push(`${name}: ${ts.SyntaxKind[decl.kind]}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
