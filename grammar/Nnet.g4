grammar Nnet;
file: EOF;
WS: [ \t\r\n]+ -> skip;
