package compute

import (
	"strconv"
	"strings"
)

// This file renders pack expressions as spreadsheet formulas (the syntax
// Excel and LibreOffice store in .xlsx files), so the workbook layer can
// write every score as a live formula over the input cells.
//
// Excel differs from the pack language in two ways that matter: unary minus
// binds tighter than ^ (-2^2 is 4), and ^ is left-associative. The renderer
// therefore parenthesises every operand of ^ that is not a number or a
// reference, and writes negation as (0-x).

// Resolver names the spreadsheet text that stands for a variable, such as
// "Percorsi!H3" or "IF(ISNUMBER(Percorsi!H3),Percorsi!H3,35.5)".
type Resolver func(name string) string

// RenderSpreadsheet returns the expression as a spreadsheet formula body
// (without the leading "=").
func (e *Expr) RenderSpreadsheet(ref Resolver) string {
	var b strings.Builder
	render(&b, e.root, ref, 0)
	return b.String()
}

// RenderSpreadsheet returns the condition as AND(…) of its comparisons.
func (c *Cond) RenderSpreadsheet(ref Resolver) string {
	var b strings.Builder
	b.WriteString("AND(")
	for i, op := range c.ops {
		if i > 0 {
			b.WriteByte(',')
		}
		render(&b, c.terms[i], ref, 0)
		b.WriteString(op.String())
		render(&b, c.terms[i+1], ref, 0)
	}
	b.WriteByte(')')
	return b.String()
}

func (c cmpKind) String() string {
	switch c {
	case cmpLT:
		return "<"
	case cmpLE:
		return "<="
	case cmpGT:
		return ">"
	default:
		return ">="
	}
}

// Operator precedence levels for parenthesising: sums 1, products 2.
func precedence(op opKind) int {
	switch op {
	case opAdd, opSub:
		return 1
	case opMul, opDiv:
		return 2
	}
	return 3 // atoms, powers and negations render self-delimited
}

// render writes n; parent is the precedence the context requires, and a
// node of lower precedence is parenthesised.
func render(b *strings.Builder, n *node, ref Resolver, parent int) {
	switch n.op {
	case opNum:
		b.WriteString(strconv.FormatFloat(n.num, 'f', -1, 64))
		return
	case opVar:
		b.WriteString(ref(n.name))
		return
	case opNeg:
		b.WriteString("(0-")
		render(b, n.a, ref, 3)
		b.WriteByte(')')
		return
	case opPow:
		b.WriteByte('(')
		renderPowOperand(b, n.a, ref)
		b.WriteByte('^')
		renderPowOperand(b, n.b, ref)
		b.WriteByte(')')
		return
	}
	p := precedence(n.op)
	open := p < parent
	if open {
		b.WriteByte('(')
	}
	render(b, n.a, ref, p)
	switch n.op {
	case opAdd:
		b.WriteByte('+')
	case opSub:
		b.WriteByte('-')
	case opMul:
		b.WriteByte('*')
	case opDiv:
		b.WriteByte('/')
	}
	// The right operand of - and / binds tighter: a-(b-c), a/(b*c).
	right := p
	if n.op == opSub || n.op == opDiv {
		right = p + 1
	}
	render(b, n.b, ref, right)
	if open {
		b.WriteByte(')')
	}
}

func renderPowOperand(b *strings.Builder, n *node, ref Resolver) {
	if n.op == opNum && n.num >= 0 {
		render(b, n, ref, 0)
		return
	}
	b.WriteByte('(')
	render(b, n, ref, 0)
	b.WriteByte(')')
}
