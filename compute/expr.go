package compute

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// This file holds the small arithmetic language in which the rule packs write
// results, transformation functions, interval conditions and derived thresholds.
//
//	expr := sum
//	sum  := prod (("+" | "-" | "−") prod)*
//	prod := unary (("*" | "×" | "·" | "/") unary)*
//	unary:= ("-" | "−") unary | pow
//	pow  := atom ("^" unary)?           (right-associative)
//	atom := number | identifier | "(" sum ")"
//	cond := sum (("<" | "<=" | "≤" | ">" | ">=" | "≥") sum)+   (chained: 20 ≤ R < S)
//
// Numbers use the decimal point. Identifiers are letters, digits and "_".
// The language has no functions and no state: an expression is a pure function
// of the variables it names, which makes it easy to check by hand.

// ErrExpr is the kind of every parse error of a pack expression.
var ErrExpr = errors.New("invalid expression")

type opKind uint8

const (
	opNum opKind = iota
	opVar
	opNeg
	opAdd
	opSub
	opMul
	opDiv
	opPow
)

// node is one node of a parsed arithmetic expression.
type node struct {
	op   opKind
	num  float64
	name string
	slot int // for variables: index in a pack's symbol table, or -1
	a, b *node
}

// Expr is a parsed arithmetic expression with its source text.
type Expr struct {
	src  string
	root *node
	vars []string
}

// Env gives the value of a variable during evaluation.
type Env interface {
	Get(name string) (float64, bool)
}

// String returns the expression as written in the pack.
func (e *Expr) String() string { return e.src }

// Vars lists the variables the expression uses, in order of first appearance.
func (e *Expr) Vars() []string { return e.vars }

// Eval computes the expression; an unknown variable is an error.
func (e *Expr) Eval(env Env) (float64, error) {
	return e.root.eval(env)
}

func (n *node) eval(env Env) (float64, error) {
	switch n.op {
	case opNum:
		return n.num, nil
	case opVar:
		if se, ok := env.(*slotEnv); ok && n.slot >= 0 {
			if se.have[n.slot] {
				return se.vals[n.slot], nil
			}
			return 0, fmt.Errorf("%w: variable %q has no value", ErrMissingValue, n.name)
		}
		v, ok := env.Get(n.name)
		if !ok {
			return 0, fmt.Errorf("%w: variable %q has no value", ErrMissingValue, n.name)
		}
		return v, nil
	case opNeg:
		a, err := n.a.eval(env)
		return -a, err
	}
	a, err := n.a.eval(env)
	if err != nil {
		return 0, err
	}
	b, err := n.b.eval(env)
	if err != nil {
		return 0, err
	}
	switch n.op {
	case opAdd:
		return a + b, nil
	case opSub:
		return a - b, nil
	case opMul:
		return a * b, nil
	case opDiv:
		return a / b, nil
	default: // opPow
		return math.Pow(a, b), nil
	}
}

// evalSmall is eval over a varsEnv, typed concretely so that the
// environment of a function evaluation stays on the stack.
func (n *node) evalSmall(env *varsEnv) float64 {
	switch n.op {
	case opNum:
		return n.num
	case opVar:
		v, _ := env.Get(n.name) // pack loading guarantees only known names
		return v
	case opNeg:
		return -n.a.evalSmall(env)
	}
	a, b := n.a.evalSmall(env), n.b.evalSmall(env)
	switch n.op {
	case opAdd:
		return a + b
	case opSub:
		return a - b
	case opMul:
		return a * b
	case opDiv:
		return a / b
	default: // opPow
		return math.Pow(a, b)
	}
}

// holdsSmall is Holds over a varsEnv.
func (c *Cond) holdsSmall(env *varsEnv) bool {
	prev := c.terms[0].evalSmall(env)
	for i, op := range c.ops {
		next := c.terms[i+1].evalSmall(env)
		if !op.holds(prev, next) {
			return false
		}
		prev = next
	}
	return true
}

// Comparison operators of a condition.
type cmpKind uint8

const (
	cmpLT cmpKind = iota
	cmpLE
	cmpGT
	cmpGE
)

func (c cmpKind) holds(a, b float64) bool {
	switch c {
	case cmpLT:
		return a < b
	case cmpLE:
		return a <= b
	case cmpGT:
		return a > b
	default:
		return a >= b
	}
}

// Cond is a parsed chained comparison such as "20 ≤ R < S".
type Cond struct {
	src   string
	terms []*node
	ops   []cmpKind
	vars  []string
}

// String returns the condition as written in the pack.
func (c *Cond) String() string { return c.src }

// Vars lists the variables the condition uses.
func (c *Cond) Vars() []string { return c.vars }

// Holds reports whether every comparison of the chain holds.
func (c *Cond) Holds(env Env) (bool, error) {
	prev, err := c.terms[0].eval(env)
	if err != nil {
		return false, err
	}
	for i, op := range c.ops {
		next, err := c.terms[i+1].eval(env)
		if err != nil {
			return false, err
		}
		if !op.holds(prev, next) {
			return false, nil
		}
		prev = next
	}
	return true, nil
}

// ParseExpr parses an arithmetic expression.
func ParseExpr(src string) (*Expr, error) {
	p := &parser{src: src}
	p.next()
	root, err := p.sum()
	if err != nil {
		return nil, err
	}
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("unexpected %q", p.tok.text)
	}
	e := &Expr{src: src, root: root}
	e.vars = collectVars(root, nil)
	return e, nil
}

// ParseCond parses a chained comparison.
func ParseCond(src string) (*Cond, error) {
	p := &parser{src: src}
	p.next()
	first, err := p.sum()
	if err != nil {
		return nil, err
	}
	c := &Cond{src: src, terms: []*node{first}}
	for p.tok.kind == tokCmp {
		c.ops = append(c.ops, p.tok.cmp)
		p.next()
		t, err := p.sum()
		if err != nil {
			return nil, err
		}
		c.terms = append(c.terms, t)
	}
	if p.err != nil {
		return nil, p.err
	}
	if len(c.ops) == 0 {
		return nil, p.errorf("a condition needs a comparison")
	}
	if p.tok.kind != tokEOF {
		return nil, p.errorf("unexpected %q", p.tok.text)
	}
	for _, t := range c.terms {
		c.vars = collectVars(t, c.vars)
	}
	return c, nil
}

func collectVars(n *node, acc []string) []string {
	if n == nil {
		return acc
	}
	if n.op == opVar {
		for _, v := range acc {
			if v == n.name {
				return acc
			}
		}
		return append(acc, n.name)
	}
	acc = collectVars(n.a, acc)
	return collectVars(n.b, acc)
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokNum
	tokIdent
	tokOp // + - * / ^
	tokLParen
	tokRParen
	tokCmp
)

type token struct {
	kind tokKind
	text string
	op   byte // normalised operator for tokOp
	cmp  cmpKind
	num  float64
	pos  int
}

type parser struct {
	src string
	pos int
	tok token
	err error
}

func (p *parser) errorf(format string, args ...any) error {
	if p.err != nil {
		return p.err
	}
	return fmt.Errorf("%w %q at offset %d: %s", ErrExpr, p.src, p.tok.pos, fmt.Sprintf(format, args...))
}

// next advances to the following token; a lexical error is kept in p.err and
// reported as an EOF-like token so that the parser stops.
func (p *parser) next() {
	for p.pos < len(p.src) {
		r, w := utf8.DecodeRuneInString(p.src[p.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		p.pos += w
	}
	start := p.pos
	if p.pos >= len(p.src) {
		p.tok = token{kind: tokEOF, pos: start}
		return
	}
	r, w := utf8.DecodeRuneInString(p.src[p.pos:])
	switch {
	case r >= '0' && r <= '9' || r == '.':
		end := p.pos
		for end < len(p.src) && (p.src[end] >= '0' && p.src[end] <= '9' || p.src[end] == '.') {
			end++
		}
		text := p.src[p.pos:end]
		v, err := strconv.ParseFloat(text, 64)
		if err != nil {
			p.err = fmt.Errorf("%w %q at offset %d: bad number %q", ErrExpr, p.src, start, text)
			p.tok = token{kind: tokEOF, pos: start}
			return
		}
		p.pos = end
		p.tok = token{kind: tokNum, text: text, num: v, pos: start}
	case unicode.IsLetter(r) || r == '_':
		end := p.pos
		for end < len(p.src) {
			r2, w2 := utf8.DecodeRuneInString(p.src[end:])
			if !(unicode.IsLetter(r2) || unicode.IsDigit(r2) || r2 == '_') {
				break
			}
			end += w2
		}
		p.tok = token{kind: tokIdent, text: p.src[p.pos:end], pos: start}
		p.pos = end
	default:
		p.pos += w
		t := token{text: string(r), pos: start}
		switch r {
		case '+':
			t.kind, t.op = tokOp, '+'
		case '-', '−':
			t.kind, t.op = tokOp, '-'
		case '*', '×', '·':
			t.kind, t.op = tokOp, '*'
		case '/':
			t.kind, t.op = tokOp, '/'
		case '^':
			t.kind, t.op = tokOp, '^'
		case '(':
			t.kind = tokLParen
		case ')':
			t.kind = tokRParen
		case '≤':
			t.kind, t.cmp = tokCmp, cmpLE
		case '≥':
			t.kind, t.cmp = tokCmp, cmpGE
		case '<', '>':
			t.kind = tokCmp
			eq := p.pos < len(p.src) && p.src[p.pos] == '='
			if eq {
				p.pos++
				t.text += "="
			}
			switch {
			case r == '<' && eq:
				t.cmp = cmpLE
			case r == '<':
				t.cmp = cmpLT
			case eq:
				t.cmp = cmpGE
			default:
				t.cmp = cmpGT
			}
		default:
			p.err = fmt.Errorf("%w %q at offset %d: unexpected character %q", ErrExpr, p.src, start, r)
			t = token{kind: tokEOF, pos: start}
		}
		p.tok = t
	}
}

func (p *parser) sum() (*node, error) {
	left, err := p.prod()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokOp && (p.tok.op == '+' || p.tok.op == '-') {
		op := opAdd
		if p.tok.op == '-' {
			op = opSub
		}
		p.next()
		right, err := p.prod()
		if err != nil {
			return nil, err
		}
		left = &node{op: op, a: left, b: right}
	}
	return left, nil
}

func (p *parser) prod() (*node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokOp && (p.tok.op == '*' || p.tok.op == '/') {
		op := opMul
		if p.tok.op == '/' {
			op = opDiv
		}
		p.next()
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = &node{op: op, a: left, b: right}
	}
	return left, nil
}

func (p *parser) unary() (*node, error) {
	if p.tok.kind == tokOp && p.tok.op == '-' {
		p.next()
		a, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: opNeg, a: a}, nil
	}
	return p.pow()
}

func (p *parser) pow() (*node, error) {
	base, err := p.atom()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tokOp && p.tok.op == '^' {
		p.next()
		exp, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &node{op: opPow, a: base, b: exp}, nil
	}
	return base, nil
}

func (p *parser) atom() (*node, error) {
	switch p.tok.kind {
	case tokNum:
		n := &node{op: opNum, num: p.tok.num}
		p.next()
		return n, nil
	case tokIdent:
		n := &node{op: opVar, name: p.tok.text, slot: -1}
		p.next()
		return n, nil
	case tokLParen:
		p.next()
		n, err := p.sum()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRParen {
			return nil, p.errorf("missing \")\"")
		}
		p.next()
		return n, nil
	case tokEOF:
		return nil, p.errorf("unexpected end")
	default:
		return nil, p.errorf("unexpected %q", p.tok.text)
	}
}

// varsEnv is a small Env over a fixed list of names, without maps.
type varsEnv struct {
	names  [6]string
	values [6]float64
	n      int
}

func (v *varsEnv) set(name string, x float64) {
	for i := 0; i < v.n; i++ {
		if v.names[i] == name {
			v.values[i] = x
			return
		}
	}
	v.names[v.n], v.values[v.n] = name, x
	v.n++
}

func (v *varsEnv) Get(name string) (float64, bool) {
	for i := 0; i < v.n; i++ {
		if v.names[i] == name {
			return v.values[i], true
		}
	}
	return 0, false
}

// slotEnv holds variable values by slot, for expressions whose variables a
// pack has resolved (see Pack.resolveSlots); names fall back to byName.
type slotEnv struct {
	vals   []float64
	have   []bool
	slotOf map[string]int
}

func (e *slotEnv) Get(name string) (float64, bool) {
	if i, ok := e.slotOf[name]; ok && e.have[i] {
		return e.vals[i], true
	}
	return 0, false
}

// resolve assigns every variable node a slot in the table, adding names.
func resolve(n *node, slotOf map[string]int, names *[]string) {
	if n == nil {
		return
	}
	if n.op == opVar {
		i, ok := slotOf[n.name]
		if !ok {
			i = len(*names)
			slotOf[n.name] = i
			*names = append(*names, n.name)
		}
		n.slot = i
	}
	resolve(n.a, slotOf, names)
	resolve(n.b, slotOf, names)
}

// valueOf returns a variable's value, or NaN when it is not set.
func (v *varsEnv) valueOf(name string) float64 {
	if x, ok := v.Get(name); ok {
		return x
	}
	return math.NaN()
}
