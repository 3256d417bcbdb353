// The .nnet language (LANGUAGE.md). Syntax only: which words are layers, activations or
// patterns is the checker's business, so a tag like `mask [..]` is any name before a literal.
grammar Nnet;

file: decl* EOF;

decl
    : 'network' name=ID '{' stmt* '}'                                         # NetworkDecl
    | 'block' name=ID '(' (params+=ID (',' params+=ID)*)? ')' '{' stmt* '}'   # BlockDecl
    | 'const' name=ID '=' value=expr ';'?                                     # ConstDecl
    ;

stmt
    : 'const' name=ID '=' value=expr ';'?                                     # ConstStmt
    | 'input' name=ID '[' dims+=expr (',' dims+=expr)* ']' type=ID? (key=ID ':' layout=ID)? names=tagged? ';'?   # InputStmt
    | targets+=ID (',' targets+=ID)* '=' value=expr ';'?                      # AssignStmt
    | 'output' names+=ID (',' names+=ID)* ';'?                                # OutputStmt
    | 'loss' (target=ID ':')? kind=ID ('(' (args+=arg (',' args+=arg)* ','?)? ')')? ('*' weight=expr)? ';'?  # LossStmt
    | 'train' '{' (settings+=arg (',' settings+=arg)* ','?)? '}' ';'?         # TrainStmt
    | 'return' value=expr ';'?                                                # ReturnStmt
    ;

// '=' only to say that named arguments use ':' (Python's units=2)
arg: (name=ID (':' | equals='='))? value=expr;

expr
    : op='-' operand=expr                          # Neg
    | left=expr op=('*' | '/') right=expr          # Binary
    | left=expr op=('+' | '-') right=expr          # Binary
    | left=expr op='..' right=expr                 # Range
    | left=expr op='&' right=expr                  # Binary
    | left=expr op='|' right=expr                  # Binary
    | left=expr op='->' right=expr                 # Edge
    | primary                                      # Atom
    ;

primary
    : callee=ID '(' (args+=arg (',' args+=arg)* ','?)? ')'   # Call
    | tagged                                                 # TaggedExpr
    | ID                                                     # Name
    | NUMBER                                                 # Number
    | STRING                                                 # String
    | list                                                   # ListLit
    | '(' inner=expr ')'                                     # Paren
    ;

// `mask [..]`, `edges "f.csv"`, `names "genes.txt"`; a table's two columns follow in parentheses: `edges "t.csv" (snp -> gene)`
tagged: tag=ID value=literal ('(' columns=expr ')')?;

literal: list | STRING;

list: '[' (items+=expr (',' items+=expr)* ','?)? ']';

ID: [a-zA-Z_] [a-zA-Z0-9_]*;
NUMBER: [0-9]+ ('.' [0-9]+)? ([eE] [+-]? [0-9]+)?;
STRING: '"' (~["\\\r\n] | '\\' .)* '"';
// a string cut by the end of the line: its own token, so the error can say so
UNTERMINATED: '"' (~["\\\r\n] | '\\' .)*;
// comments go to the hidden channel: the parser never sees them, the formatter keeps them
LINE_COMMENT: '//' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT: '/*' .*? '*/' -> channel(HIDDEN);
WS: [ \t\r\n]+ -> skip;
// any other character: a token of its own, reported by the parser with its place
BAD_CHAR: .;
