/**
 * The `when` of an exposure rule: a CEL expression over `change`, parsed and planned with
 * @bufbuild/cel (conformance-tested; no eval, no parser of ours). At registration every syntax
 * error is reported with its line and column, and so is a call of a function CEL does not have or
 * a name other than `change` and the variables of its own macros (exists, all, map, filter):
 * mistakes that would otherwise surface only as an error on every change.
 */
import { celEnv, isCelError, parse, plan, type CelInput } from '@bufbuild/cel';

export const MAX_EXPRESSION_LENGTH = 4096;

const env = celEnv();

export interface ExpressionError {
  message: string;
  line: number;
  column: number;
}

/** The answer of a rule's expression for one change: matched or not, and why not when it failed. */
export interface ExpressionResult {
  matches: boolean;
  /** The expression did not give a bool: an error (a missing field without has(), a type mismatch) or another type. */
  error?: string;
}

export type ChangeMatcher = (change: Record<string, unknown>) => ExpressionResult;

/**
 * The kind a rule requires when its expression is a conjunction with `change.kind == "…"` in it:
 * for a change of another kind the conjunction is false whatever the rest gives (CEL's && is
 * false when either side is), so such a rule need not be evaluated at all.
 */
function kindGuard(expr: Expr | undefined): string | undefined {
  if (!expr || expr.exprKind.case !== 'callExpr') return undefined;
  const call = expr.exprKind.value;
  if (call.function === '_&&_') {
    for (const side of call.args) {
      const kind = kindGuard(side);
      if (kind !== undefined) return kind;
    }
    return undefined;
  }
  if (call.function !== '_==_' || call.args.length !== 2) return undefined;
  const isKind = (e: Expr) =>
    e.exprKind.case === 'selectExpr' && e.exprKind.value.field === 'kind' && !e.exprKind.value.testOnly && e.exprKind.value.operand?.exprKind.case === 'identExpr' && e.exprKind.value.operand.exprKind.value.name === 'change';
  const literal = (e: Expr) => (e.exprKind.case === 'constExpr' && e.exprKind.value.constantKind.case === 'stringValue' ? e.exprKind.value.constantKind.value : undefined);
  const [left, right] = call.args as [Expr, Expr];
  if (isKind(left)) return literal(right);
  if (isKind(right)) return literal(left);
  return undefined;
}

type Parsed = ReturnType<typeof parse>;
type Expr = NonNullable<Parsed['expr']>;

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: lines.at(-1)!.length + 1 };
}

/** Operators and macros' internals are planned by the evaluator itself, not looked up as functions. */
const isOperator = (name: string) => name.startsWith('_') || name.startsWith('@') || name.startsWith('!_');

/** Names used that the evaluator will not know: unknown functions, names other than `change` and macro variables. */
function unknownNames(root: Expr, positions: Record<string, number>): Array<{ message: string; offset: number }> {
  const found: Array<{ message: string; offset: number }> = [];
  const visit = (expr: Expr | undefined, scope: Set<string>): void => {
    if (!expr) return;
    const at = positions[String(expr.id)] ?? 0;
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'identExpr':
        if (!scope.has(kind.value.name)) found.push({ message: `unknown name ${kind.value.name}: a rule sees change only`, offset: at });
        return;
      case 'selectExpr':
        return visit(kind.value.operand, scope);
      case 'callExpr':
        if (!isOperator(kind.value.function) && !env.funcs.find(kind.value.function)) found.push({ message: `CEL has no function ${kind.value.function}`, offset: at });
        visit(kind.value.target, scope);
        for (const arg of kind.value.args) visit(arg, scope);
        return;
      case 'listExpr':
        for (const element of kind.value.elements) visit(element, scope);
        return;
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') visit(entry.keyKind.value, scope);
          visit(entry.value, scope);
        }
        return;
      case 'comprehensionExpr': {
        const c = kind.value;
        visit(c.iterRange, scope);
        visit(c.accuInit, scope);
        const inner = new Set([...scope, c.iterVar, c.accuVar, ...(c.iterVar2 ? [c.iterVar2] : [])]);
        for (const part of [c.loopCondition, c.loopStep, c.result]) visit(part, inner);
        return;
      }
      default:
        return;
    }
  };
  visit(root, new Set(['change']));
  return found;
}

/** Parses and checks an expression: its errors (with line and column), or the matcher it plans. */
export function compileExpression(text: string): { ok: true; matcher: ChangeMatcher; kind?: string } | { ok: false; errors: ExpressionError[] } {
  if (text.length > MAX_EXPRESSION_LENGTH) return { ok: false, errors: [{ message: `longer than ${MAX_EXPRESSION_LENGTH} characters`, line: 1, column: 1 }] };
  let parsed: Parsed;
  try {
    parsed = parse(text);
  } catch (error) {
    const location = (error as { location?: { start?: { line: number; column: number } } }).location?.start;
    const message = (error as { rawMessage?: string }).rawMessage ?? (error instanceof Error ? error.message : String(error));
    return { ok: false, errors: [{ message: `syntax error: ${message}`, line: location?.line ?? 1, column: location?.column ?? 1 }] };
  }
  const unknown = parsed.expr ? unknownNames(parsed.expr, parsed.sourceInfo?.positions ?? {}) : [];
  if (unknown.length > 0) return { ok: false, errors: unknown.map((u) => ({ message: u.message, ...lineAndColumn(text, u.offset) })) };
  const evaluate = plan(env, parsed);
  const kind = kindGuard(parsed.expr);
  return {
    ok: true,
    ...(kind !== undefined ? { kind } : {}),
    matcher: (change) => {
      let result: unknown;
      // CEL's && and || absorb errors of the side that does not decide (a field another kind of
      // change lacks): the evaluator makes an Error for each, and their stack traces were half
      // of the evaluation time (bench:exposure-rules). Nobody reads those stacks.
      const stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        result = evaluate({ change: change as CelInput });
      } catch (error) {
        return { matches: false, error: error instanceof Error ? error.message : String(error) };
      } finally {
        Error.stackTraceLimit = stackTraceLimit;
      }
      if (isCelError(result)) return { matches: false, error: result.message };
      if (typeof result !== 'boolean') return { matches: false, error: `the expression gives ${typeof result}, not a bool` };
      return { matches: result };
    },
  };
}
